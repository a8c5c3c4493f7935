import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { ALLOWED_ROLES, BOOTSTRAP_ONLY, PUBLIC_ROUTE } from '../../src/auth/auth.decorators';
import { TOKEN_ROLES, TokenRole } from '../../src/auth/token-role';
import { buildOpenApiDocument } from '../../src/openapi/document';

/** A JSON schema as the OpenAPI document holds it (only what the generators read). */
export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  example?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
  additionalProperties?: boolean | Schema;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

/** One operation of the live API, with who may call it as the code (not the document) says. */
export interface Operation {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI form: `/connections/{id}/credentials`. */
  readonly path: string;
  readonly operationId: string;
  readonly parameters: readonly Parameter[];
  /** The JSON body schema, refs resolved, when the operation takes a JSON body. */
  readonly body?: Schema;
  readonly bodyRequired: boolean;
  readonly documentedStatuses: ReadonlySet<number>;
  readonly isPublic: boolean;
  readonly bootstrapOnly: boolean;
  /** Roles the guard lets through (from the `tether:roles` metadata on the handler). */
  readonly roles: readonly TokenRole[];
}

interface HandlerRights {
  isPublic: boolean;
  bootstrapOnly: boolean;
  roles: TokenRole[];
}

/**
 * Reads @Public / @BootstrapOnly / @Allow from every controller handler of the running app,
 * keyed like the document's operationIds (`<Controller without suffix>_<method>`).
 */
function handlerRights(app: NestFastifyApplication): Map<string, HandlerRights> {
  const reflector = app.get(Reflector);
  const rights = new Map<string, HandlerRights>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller?.prototype) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const targets = [handler, controller];
        rights.set(`${controller.name.replace(/Controller$/, '')}_${name}`, {
          isPublic: reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ?? false,
          bootstrapOnly: reflector.getAllAndOverride<boolean>(BOOTSTRAP_ONLY, targets) ?? false,
          roles: reflector.getAllAndOverride<TokenRole[]>(ALLOWED_ROLES, targets) ?? [],
        });
      }
    }
  }
  return rights;
}

/** Every operation of the live app's OpenAPI document, so routes added later are covered too. */
export function liveOperations(app: NestFastifyApplication): Operation[] {
  const document = buildOpenApiDocument(app) as unknown as { paths: Record<string, Record<string, Record<string, any>>>; components: { schemas: Record<string, Schema> } };
  const rights = handlerRights(app);
  const resolve = (schema: Schema | undefined, depth = 0): Schema | undefined => {
    if (!schema || depth > 8) return schema;
    if (schema.$ref) return resolve(document.components.schemas[schema.$ref.split('/').pop() as string], depth + 1);
    if (schema.allOf?.length === 1) return { ...resolve(schema.allOf[0], depth + 1), ...(schema.nullable ? { nullable: true } : {}) };
    const out: Schema = { ...schema };
    if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolve(v, depth + 1) as Schema]));
    if (schema.items) out.items = resolve(schema.items, depth + 1);
    return out;
  };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const right = rights.get(op.operationId);
      if (!right) throw new Error(`no controller handler found for operationId ${op.operationId}: the operationId factory changed?`);
      const json = op.requestBody?.content?.['application/json'];
      operations.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        operationId: op.operationId,
        parameters: (op.parameters ?? []).map((p: Parameter) => ({ ...p, required: Boolean(p.required), schema: resolve(p.schema) ?? {} })),
        body: json ? resolve(json.schema) : undefined,
        bodyRequired: Boolean(op.requestBody?.required),
        documentedStatuses: new Set(Object.keys(op.responses ?? {}).map(Number)),
        ...right,
      });
    }
  }
  return operations;
}

/** A request body that passes validation: required fields with their examples, enums or minimums. */
export function exampleOf(schema: Schema | undefined): unknown {
  if (!schema) return undefined;
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) out[name] = exampleOf(schema.properties?.[name]);
      return out;
    }
    case 'array':
      return [];
    case 'number':
    case 'integer':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return schema.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : 'x';
  }
}

/** `/connections/{id}/functions/{function}` with the values filled in (encoded). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for path parameter {${name}} of ${path}: add one to the fixtures`);
    return encodeURIComponent(value);
  });
}

/** The collection a path lives under: `/connections/{id}/x` → `connections`. */
export const collectionOf = (path: string) => path.split('/')[1];

export { TOKEN_ROLES };
export type { TokenRole };

/** Asserts the RFC 9457 shape Tether promises; returns a reason when it does not hold. */
export function problemViolation(status: number, headers: Record<string, unknown>, text: string): string | undefined {
  const type = String(headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `content-type ${type || '(none)'} is not application/problem+json`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'body is not JSON';
  }
  if (typeof body.type !== 'string' || !body.type.startsWith('/problems/')) return `type ${JSON.stringify(body.type)}`;
  if (typeof body.title !== 'string' || body.title.length === 0) return 'no title';
  if (body.status !== status) return `status ${JSON.stringify(body.status)} in the body, ${status} on the wire`;
  if (typeof body.detail !== 'string' || body.detail.length === 0) return 'no detail';
  if (typeof body.requestId !== 'string') return 'no requestId';
  if (body.errors !== undefined) {
    if (!Array.isArray(body.errors)) return 'errors is not an array';
    for (const e of body.errors as { field?: unknown; message?: unknown }[]) {
      if (typeof e.field !== 'string' || typeof e.message !== 'string' || !e.message) return `bad errors entry ${JSON.stringify(e)}`;
    }
  }
  return undefined;
}
