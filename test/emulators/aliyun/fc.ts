import { authorize } from '../core/authz';
import { type EmulatorContext, injectFault } from '../core/context';
import { admitInvocation, BadEventError, checkEvent, runFunction, tail } from '../core/functions';
import { type EmuRequest, type EmuResponse, header, json, queryParam } from '../core/http';
import { ids } from '../core/ids';
import type { Caller, FunctionDef } from '../core/state';
import { isAcsFailure, verifyAcs3 } from './acs3';
import { type AcsError, fcAuthError, fcErrorResponse } from './errors';

const SYNC_LIMIT = 32 * 1024 * 1024;
const ASYNC_LIMIT = 128 * 1024;

class FcError extends Error {
  constructor(readonly error: AcsError, readonly headers: Record<string, string> = {}) {
    super(error.message);
  }
}

const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}): FcError => new FcError({ status, code, message }, headers);

type Action = 'InvokeFunction' | 'GetFunction' | 'ListFunctions' | 'GetService' | 'ListServices';

interface Route {
  action: Action;
  service?: string;
  fn?: string;
  /** The older `services/<svc>.<qualifier>` form carries the qualifier in the path. */
  pathQualifier?: string;
}

function route(req: EmuRequest): Route | undefined {
  const m = /^\/2021-04-06\/services(?:\/([^/]+)(?:\/functions(?:\/([^/]+)(\/invocations)?)?)?)?\/?$/.exec(req.rawPath);
  if (!m) return undefined;
  const rawService = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  const [service, pathQualifier] = rawService?.includes('.') ? rawService.split('.', 2) : [rawService, undefined];
  const fn = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  const functionsSegment = req.rawPath.includes('/functions');
  if (m[3] && req.method === 'POST') return { action: 'InvokeFunction', service, fn, pathQualifier };
  if (req.method !== 'GET' || m[3]) return undefined;
  if (fn) return { action: 'GetFunction', service, fn, pathQualifier };
  if (service && functionsSegment) return { action: 'ListFunctions', service, pathQualifier };
  if (service) return { action: 'GetService', service, pathQualifier };
  return { action: 'ListServices' };
}

/** Finds which region holds the service; requests carry no region once the endpoint is overridden. */
function serviceRegion(ctx: EmulatorContext, caller: Caller, service: string): string | undefined {
  return ctx.state.listFunctions('aliyun', caller.account.id, (f) => f.service === service)[0]?.region;
}

function check(ctx: EmulatorContext, caller: Caller, action: string, resource: string): void {
  const decision = authorize(caller, ctx.clock.now(), { action, resource });
  if (!decision.allowed) throw fail(403, 'AccessDenied', `the caller is not authorized to perform '${action}' on resource '${resource}'`);
}

function functionJson(f: FunctionDef): Record<string, unknown> {
  const at = f.createdAt.toISOString();
  return {
    functionId: `${f.service}-${f.name}`,
    functionName: f.name,
    description: `emulated ${f.behaviour.type} function`,
    runtime: f.runtime,
    handler: f.handler,
    timeout: f.timeoutSeconds,
    memorySize: f.memoryMb,
    codeSize: 1024,
    codeChecksum: String(Buffer.from(f.name).reduce((a, b) => (a * 31 + b) % 1e12, 7)),
    createdTime: at,
    lastModifiedTime: at,
    environmentVariables: {},
    instanceConcurrency: 1,
  };
}

function qualifierVersion(def: FunctionDef, qualifier: string | undefined): string | undefined {
  if (qualifier === undefined || qualifier === 'LATEST') return 'LATEST';
  if (def.versions.includes(qualifier)) return qualifier;
  return def.aliases[qualifier];
}

async function invoke(ctx: EmulatorContext, req: EmuRequest, caller: Caller, r: Route): Promise<EmuResponse> {
  const type = header(req, 'x-fc-invocation-type') ?? 'Sync';
  if (type !== 'Sync' && type !== 'Async') throw fail(400, 'InvalidArgument', `invalid X-Fc-Invocation-Type '${type}'`);
  const limit = type === 'Async' ? ASYNC_LIMIT : SYNC_LIMIT;
  if (req.body.length > limit) throw fail(413, 'EntityTooLarge', `payload size exceeds maximum allowed size (${limit} bytes)`);
  const region = serviceRegion(ctx, caller, r.service!) ?? '*';
  // Permission is checked on the unqualified function: RAM's qualified resource form is unconfirmed.
  check(ctx, caller, 'fc:InvokeFunction', `acs:fc:${region}:${caller.account.id}:services/${r.service}/functions/${r.fn}`);
  const def = ctx.state.findFunction('aliyun', caller.account.id, undefined, r.service!, r.fn!);
  if (!def) {
    if (region === '*') throw fail(404, 'ServiceNotFound', `service '${r.service}' does not exist`);
    throw fail(404, 'FunctionNotFound', `function '${r.fn}' does not exist in service '${r.service}'`);
  }
  const qualifier = r.pathQualifier ?? queryParam(req, 'qualifier');
  const version = qualifierVersion(def, qualifier);
  if (version === undefined) throw fail(404, 'AliasNotFound', `alias '${qualifier}' does not exist in service '${r.service}'`);
  try {
    checkEvent(def, req.body);
  } catch (error) {
    if (error instanceof BadEventError) throw fail(400, 'InvalidArgument', error.message);
    throw error;
  }
  if (!admitInvocation(def)) throw fail(429, 'ResourceThrottled', 'Reserve resource exhausted. Please try again later.');
  ctx.counters.invocation(`aliyun:${def.accountId}:${def.region}:${def.service}/${def.name}`);
  const requestId = ids.requestId();
  const common = { 'x-fc-request-id': requestId, 'x-fc-invocation-service-version': version, 'x-fc-code-checksum': String(functionJson(def)['codeChecksum']) };
  if (type === 'Async') {
    void runFunction(def, req.body, requestId).catch(() => undefined);
    return { status: 202, headers: common, body: '' };
  }
  const result = await runFunction(def, req.body, requestId);
  const headers: Record<string, string> = { ...common, 'content-type': 'application/octet-stream' };
  if ((header(req, 'x-fc-log-type') ?? 'None') === 'Tail') {
    const log = `FC Invoke Start RequestId: ${requestId}\n${result.log}FC Invoke End RequestId: ${requestId}\n`;
    headers['x-fc-log-result'] = Buffer.from(tail(log)).toString('base64');
  }
  // A failing function is still a 200; x-fc-error-type tells it apart.
  if (result.kind === 'error') headers['x-fc-error-type'] = 'UnhandledInvocationError';
  return { status: 200, headers, body: result.payload };
}

function serve(ctx: EmulatorContext, caller: Caller, req: EmuRequest, r: Route): EmuResponse | Promise<EmuResponse> {
  const uid = caller.account.id;
  switch (r.action) {
    case 'InvokeFunction':
      return invoke(ctx, req, caller, r);
    case 'GetFunction': {
      const region = serviceRegion(ctx, caller, r.service!) ?? '*';
      check(ctx, caller, 'fc:GetFunction', `acs:fc:${region}:${uid}:services/${r.service}/functions/${r.fn}`);
      const def = ctx.state.findFunction('aliyun', uid, undefined, r.service!, r.fn!);
      if (!def) throw fail(404, 'FunctionNotFound', `function '${r.fn}' does not exist in service '${r.service}'`);
      return json(200, functionJson(def), { 'x-fc-request-id': ids.requestId() });
    }
    case 'ListFunctions': {
      const region = serviceRegion(ctx, caller, r.service!) ?? '*';
      check(ctx, caller, 'fc:ListFunctions', `acs:fc:${region}:${uid}:services/${r.service}/functions/*`);
      if (region === '*') throw fail(404, 'ServiceNotFound', `service '${r.service}' does not exist`);
      const prefix = queryParam(req, 'prefix') ?? '';
      const all = ctx.state.listFunctions('aliyun', uid, (f) => f.service === r.service && f.name.startsWith(prefix));
      const limit = Math.min(Number(queryParam(req, 'limit') ?? 20) || 20, 100);
      const start = Number(queryParam(req, 'nextToken') ?? 0) || 0;
      const next = start + limit < all.length ? String(start + limit) : undefined;
      return json(200, { functions: all.slice(start, start + limit).map(functionJson), ...(next ? { nextToken: next } : {}) }, { 'x-fc-request-id': ids.requestId() });
    }
    case 'GetService': {
      const region = serviceRegion(ctx, caller, r.service!) ?? '*';
      check(ctx, caller, 'fc:GetService', `acs:fc:${region}:${uid}:services/${r.service}`);
      if (region === '*') throw fail(404, 'ServiceNotFound', `service '${r.service}' does not exist`);
      const first = ctx.state.listFunctions('aliyun', uid, (f) => f.service === r.service)[0]!;
      return json(200, { serviceId: `svc-${r.service}`, serviceName: r.service, description: 'emulated service', role: '', createdTime: first.createdAt.toISOString(), lastModifiedTime: first.createdAt.toISOString(), internetAccess: true }, { 'x-fc-request-id': ids.requestId() });
    }
    case 'ListServices': {
      check(ctx, caller, 'fc:ListServices', `acs:fc:*:${uid}:services/*`);
      const names = [...new Set(ctx.state.listFunctions('aliyun', uid).map((f) => f.service))].sort();
      return json(200, { services: names.map((n) => ({ serviceName: n, serviceId: `svc-${n}` })) }, { 'x-fc-request-id': ids.requestId() });
    }
  }
}

/** Aliyun Function Compute 2.0 (ROA, ACS3-signed): InvokeFunction, GetFunction, ListFunctions, GetService, ListServices. */
export async function handleFc(req: EmuRequest, ctx: EmulatorContext): Promise<EmuResponse> {
  const r = route(req);
  ctx.counters.call('aliyun', 'fc', r?.action ?? header(req, 'x-acs-action') ?? 'unknown');
  const auth = verifyAcs3(req, ctx);
  if (isAcsFailure(auth)) return fcErrorResponse(fcAuthError(auth));
  try {
    if (!r) throw fail(404, 'PathNotSupported', `${req.method} ${req.rawPath} is not supported`);
    const fault = await injectFault(ctx, 'aliyun', 'fc', r.action);
    if (fault) throw fail(fault.status ?? 429, fault.code!, fault.message ?? 'Reserve resource exhausted. Please try again later.');
    return await serve(ctx, auth.caller, req, r);
  } catch (error) {
    if (error instanceof FcError) return fcErrorResponse(error.error, error.headers);
    throw error;
  }
}
