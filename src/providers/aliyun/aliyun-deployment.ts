import FC, {
  Code,
  CreateFunctionHeaders,
  CreateFunctionRequest,
  CreateServiceHeaders,
  CreateServiceRequest,
  DeleteFunctionHeaders,
  PublishServiceVersionHeaders,
  PublishServiceVersionRequest,
  UpdateFunctionHeaders,
  UpdateFunctionRequest,
} from '@alicloud/fc-open20210406';
import { OpenApiRequest, Params } from '@alicloud/openapi-client';
import type { CloudCredentials } from '../cloud-function-provider';
import type { DeployedFunction, FunctionDeployer, FunctionPage, FunctionRef, FunctionSpec, FunctionState, FunctionUpdate } from '../deployment';
import { isProviderError, ProviderError } from '../provider-error';

/** Runs one SDK call through the provider's `callCloud` (deadline, error mapping, the one log line). */
export type FcCaller = <T>(operation: string, region: string, creds: CloudCredentials, run: () => Promise<T>, requestIdOf: (r: T) => string | undefined) => Promise<T>;

export interface AliyunDeploymentOptions {
  client: (region: string, creds: CloudCredentials) => Promise<FC>;
  call: FcCaller;
  /** FC runtime options (read and connect timeouts) for one control-plane call. */
  runtime: () => Parameters<FC['createFunctionWithOptions']>[3];
}

/** A function as FC 2.0 writes it (GetFunction, ListFunctions), including the state fields the SDK's models leave out. */
interface FcFunctionBody {
  functionName?: string;
  runtime?: string;
  handler?: string;
  memorySize?: number;
  timeout?: number;
  codeChecksum?: string;
  codeSize?: number;
  lastModifiedTime?: string;
  environmentVariables?: Record<string, string>;
  state?: string;
  stateReason?: string;
  lastUpdateStatus?: string;
  lastUpdateStatusReason?: string;
}

/** FC's request field → the FunctionSpec field a caller sets, so a refusal names what to fix. */
const SPEC_FIELD_OF: Record<string, string> = {
  runtime: 'runtime',
  handler: 'handler',
  memorySize: 'memoryMb',
  timeout: 'timeoutSeconds',
  environmentVariables: 'environment',
  code: 'code',
  functionName: 'functionName',
  serviceName: 'namespace',
  role: 'executionRoleArn',
};

const API = '2021-04-06';

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  return headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
}

const fcRequestId = (r: { headers?: Record<string, string> }): string | undefined => header(r.headers, 'x-fc-request-id');

function requireService(namespace: string | undefined, operation: string): string {
  if (namespace) return namespace;
  throw new ProviderError({ kind: 'invalid_request', provider: 'aliyun', operation, message: 'namespace: Function Compute 2.0 functions live in a service; set the connection namespace to the FC service name.' });
}

/** FC 2.0's `state` and `lastUpdateStatus` in neutral words; an answer without them (older API) is taken as active. */
function stateOf(f: FcFunctionBody): { state: FunctionState; reason?: string } {
  switch (f.state) {
    case 'Pending':
      return { state: 'pending', ...(f.stateReason ? { reason: f.stateReason } : {}) };
    case 'Failed':
      return { state: 'failed', ...(f.stateReason ? { reason: f.stateReason } : {}) };
    case 'Inactive':
      return { state: 'inactive', ...(f.stateReason ? { reason: f.stateReason } : {}) };
  }
  if (f.lastUpdateStatus === 'InProgress') return { state: 'pending', ...(f.lastUpdateStatusReason ? { reason: f.lastUpdateStatusReason } : {}) };
  if (f.lastUpdateStatus === 'Failed') return { state: 'failed', ...(f.lastUpdateStatusReason ? { reason: f.lastUpdateStatusReason } : {}) };
  return { state: 'active' };
}

function deployed(f: FcFunctionBody, service: string, fallbackName: string, state?: FunctionState): DeployedFunction {
  const read = stateOf(f);
  return {
    name: f.functionName ?? fallbackName,
    namespace: service,
    state: state ?? read.state,
    ...(read.reason && !state ? { stateReason: read.reason } : {}),
    runtime: f.runtime ?? '',
    handler: f.handler ?? '',
    memoryMb: f.memorySize ?? 0,
    timeoutSeconds: f.timeout ?? 0,
    ...(f.codeChecksum ? { cloudCodeHash: f.codeChecksum } : {}),
    ...(f.codeSize !== undefined ? { codeSize: f.codeSize } : {}),
    ...(f.lastModifiedTime ? { lastModified: f.lastModifiedTime } : {}),
    // Only the names: the values may be secrets and are never read back.
    environmentKeys: Object.keys(f.environmentVariables ?? {}).sort(),
  };
}

/** An InvalidArgument names FC's field first ("runtime is set to an invalid value…"): lead with the spec's field. */
function namingTheField(error: unknown): unknown {
  if (!isProviderError(error) || error.kind !== 'invalid_request' || !error.cloudMessage) return error;
  const fcField = /^(?:code\.)?([A-Za-z]+)/.exec(error.cloudMessage)?.[1];
  const field = fcField ? SPEC_FIELD_OF[fcField] : undefined;
  if (!field) return error;
  return new ProviderError({
    kind: error.kind,
    provider: error.provider,
    operation: error.operation,
    message: `${field}: Function Compute ${error.operation} refused it [${error.cloudCode ?? 'InvalidArgument'}]: ${error.cloudMessage}`,
    ...(error.cloudCode ? { cloudCode: error.cloudCode } : {}),
    cloudMessage: error.cloudMessage,
    ...(error.requestId ? { requestId: error.requestId } : {}),
    ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
  });
}

/**
 * Function deployment on FC 2.0: functions live in the connection's service (its namespace), which
 * is created on the first deploy with the execution role as the service role. Reads go through the
 * SDK's own `callApi` because its typed models drop `state` and `lastUpdateStatus`.
 */
export class AliyunFunctionDeployment implements FunctionDeployer {
  constructor(private readonly options: AliyunDeploymentOptions) {}

  async getFunction(creds: CloudCredentials, ref: FunctionRef): Promise<DeployedFunction | undefined> {
    const service = requireService(ref.namespace, 'fc:GetFunction');
    try {
      const body = await this.read<FcFunctionBody>(creds, ref.region, 'GetFunction', `/${API}/services/${encodeURIComponent(service)}/functions/${encodeURIComponent(ref.functionName)}`);
      return deployed(body, service, ref.functionName);
    } catch (error) {
      // No service means no function either: the first deploy creates both.
      if (isProviderError(error) && (error.cloudCode === 'FunctionNotFound' || error.cloudCode === 'ServiceNotFound')) return undefined;
      throw error;
    }
  }

  /** Creates the function; when the service does not exist yet, creates it with the execution role and tries again. */
  async createFunction(creds: CloudCredentials, spec: FunctionSpec): Promise<DeployedFunction> {
    const service = requireService(spec.namespace, 'fc:CreateFunction');
    const client = await this.options.client(spec.region, creds);
    const request = new CreateFunctionRequest({ functionName: spec.functionName, ...this.configuration(spec), code: this.code(spec) });
    const create = () => this.write('fc:CreateFunction', spec.region, creds, () => client.createFunctionWithOptions(service, request, new CreateFunctionHeaders({}), this.options.runtime()));
    let out;
    try {
      out = await create();
    } catch (error) {
      if (!isProviderError(error) || error.cloudCode !== 'ServiceNotFound') throw error;
      await this.createService(client, creds, spec, service);
      out = await create();
    }
    // FC answers before the function is ready: the caller polls getFunction until it is active.
    return deployed(out.body ?? {}, service, spec.functionName, 'pending');
  }

  async updateFunction(creds: CloudCredentials, spec: FunctionSpec, update: FunctionUpdate): Promise<DeployedFunction> {
    const service = requireService(spec.namespace, 'fc:UpdateFunction');
    if (!update.code && !update.configuration) {
      const current = await this.getFunction(creds, spec);
      if (current) return current;
      throw new ProviderError({ kind: 'not_found', provider: 'aliyun', operation: 'fc:UpdateFunction', message: `Function ${spec.functionName} does not exist in FC service ${service}.` });
    }
    const client = await this.options.client(spec.region, creds);
    const request = new UpdateFunctionRequest({ ...(update.configuration ? this.configuration(spec) : {}), ...(update.code ? { code: this.code(spec) } : {}) });
    const out = await this.write('fc:UpdateFunction', spec.region, creds, () => client.updateFunctionWithOptions(service, spec.functionName, request, new UpdateFunctionHeaders({}), this.options.runtime()));
    return deployed(out.body ?? {}, service, spec.functionName, 'pending');
  }

  /** FC 2.0 versions belong to the service: publishing freezes every function of it; the id is the service version. */
  async publishVersion(creds: CloudCredentials, ref: FunctionRef): Promise<string> {
    const service = requireService(ref.namespace, 'fc:PublishServiceVersion');
    const client = await this.options.client(ref.region, creds);
    const out = await this.write('fc:PublishServiceVersion', ref.region, creds, () =>
      client.publishServiceVersionWithOptions(service, new PublishServiceVersionRequest({ description: `Published by Tether for ${ref.functionName}` }), new PublishServiceVersionHeaders({}), this.options.runtime()),
    );
    const versionId = out.body?.versionId;
    if (!versionId) throw new ProviderError({ kind: 'unavailable', provider: 'aliyun', operation: 'fc:PublishServiceVersion', message: 'Alibaba Cloud fc:PublishServiceVersion answered without a versionId.' });
    return versionId;
  }

  async deleteFunction(creds: CloudCredentials, ref: FunctionRef): Promise<void> {
    const service = requireService(ref.namespace, 'fc:DeleteFunction');
    const client = await this.options.client(ref.region, creds);
    await this.write('fc:DeleteFunction', ref.region, creds, () => client.deleteFunctionWithOptions(service, ref.functionName, new DeleteFunctionHeaders({}), this.options.runtime()));
  }

  async listFunctions(creds: CloudCredentials, region: string, namespace: string | undefined, next?: string): Promise<FunctionPage> {
    const service = requireService(namespace, 'fc:ListFunctions');
    const query: Record<string, string> = { limit: '100', ...(next ? { nextToken: next } : {}) };
    const body = await this.read<{ functions?: FcFunctionBody[]; nextToken?: string }>(creds, region, 'ListFunctions', `/${API}/services/${encodeURIComponent(service)}/functions`, query);
    return { functions: (body.functions ?? []).map((f) => deployed(f, service, f.functionName ?? '')), ...(body.nextToken ? { next: body.nextToken } : {}) };
  }

  private async createService(client: FC, creds: CloudCredentials, spec: FunctionSpec, service: string): Promise<void> {
    const request = new CreateServiceRequest({ serviceName: service, description: 'Functions deployed by Tether', ...(spec.executionRoleArn ? { role: spec.executionRoleArn } : {}) });
    try {
      await this.write('fc:CreateService', spec.region, creds, () => client.createServiceWithOptions(request, new CreateServiceHeaders({}), this.options.runtime()));
    } catch (error) {
      // Another deploy made it in the meantime: that is what we wanted.
      if (!isProviderError(error) || error.cloudCode !== 'ServiceAlreadyExists') throw error;
    }
  }

  private configuration(spec: FunctionSpec): Record<string, unknown> {
    // The only place environment values are revealed: the request FC receives.
    const environmentVariables = Object.fromEntries(Object.entries(spec.environment).map(([k, v]) => [k, v.reveal()]));
    return { runtime: spec.runtime, handler: spec.handler, memorySize: spec.memoryMb, timeout: spec.timeoutSeconds, environmentVariables, ...(spec.description !== undefined ? { description: spec.description } : {}) };
  }

  private code(spec: FunctionSpec): Code {
    return new Code({ ossBucketName: spec.code.bucket, ossObjectName: spec.code.key });
  }

  private async write<T extends { headers?: Record<string, string> }>(operation: string, region: string, creds: CloudCredentials, run: () => Promise<T>): Promise<T> {
    try {
      return await this.options.call(operation, region, creds, run, fcRequestId);
    } catch (error) {
      throw namingTheField(error);
    }
  }

  /** A GET through the SDK's signer, keeping the whole JSON body. */
  private async read<T>(creds: CloudCredentials, region: string, action: string, pathname: string, query: Record<string, string> = {}): Promise<T> {
    const client = await this.options.client(region, creds);
    const params = new Params({ action, version: API, protocol: 'HTTPS', pathname, method: 'GET', authType: 'AK', style: 'ROA', reqBodyType: 'json', bodyType: 'json' });
    const out = await this.options.call(`fc:${action}`, region, creds, () => client.callApi(params, new OpenApiRequest({ query }), this.options.runtime()), (r) => fcRequestId(r as { headers?: Record<string, string> }));
    return (out['body'] ?? {}) as T;
  }
}
