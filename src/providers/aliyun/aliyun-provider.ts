import FC, { InvokeFunctionHeaders, InvokeFunctionRequest, ListFunctionsHeaders, ListFunctionsRequest, ListServicesHeaders, ListServicesRequest } from '@alicloud/fc-open20210406';
import { Config } from '@alicloud/openapi-client';
import Sts, { AssumeRoleRequest as StsAssumeRoleRequest } from '@alicloud/sts20150401';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { Sensitive } from '../../common/logging/sensitive';
import type {
  AssumeRoleRequest,
  CallerCredentials,
  CallerIdentity,
  CloudCredentials,
  CloudFunctionProvider,
  InvokeCall,
  InvokeOutcome,
  IssuedCredentials,
  ProbeResult,
  SessionRequest,
} from '../cloud-function-provider';
import { PlatformIdentity } from '../platform-identity';
import { ProviderError } from '../provider-error';
import { callCloud, elapsedMs, parseFunctionError, probe, retryOnce } from '../shared/call';
import { ClientCache, credentialKey } from '../shared/client-cache';
import { type EndpointOverride, parseEndpoint } from '../shared/endpoint';
import { AliyunFunctionDeployment } from './aliyun-deployment';
import { mapAliyunError } from './aliyun-errors';
import { AliyunOss } from './aliyun-oss';

export interface AliyunProviderOptions {
  /** `TetherConfig.endpoints.aliyun`: STS, FC and OSS calls all go there. */
  endpoint?: string;
  platform?: PlatformIdentity;
  logger?: Logger;
  /** Deadline of STS calls and probes (default 10 s); invocations carry their own. */
  controlTimeoutMs?: number;
  /** Deadline of a code package upload to OSS (default 10 min). */
  uploadTimeoutMs?: number;
}

/** The STS client's constructor takes openapi-core's Config; openapi-client's has the same fields (clouds.md §8). */
type StsConfig = ConstructorParameters<typeof Sts>[0];
/** Per-call runtime options of the FC client: only the timeouts are set. */
type FcRuntime = Parameters<FC['invokeFunctionWithOptions']>[4];

const ACCOUNT_OF_ROLE_ARN = /^acs:ram::(\d+):/;
// FC 2.0 limits (clouds.md §5.2): synchronous 32 MB, asynchronous 128 KB.
const SYNC_LIMIT = 32 * 1024 * 1024;
const ASYNC_LIMIT = 128 * 1024;

/** Alibaba Cloud: STS (RAM roles), Function Compute 2.0 (invocation and deployment) and the OSS code bucket. */
export class AliyunFunctionProvider implements CloudFunctionProvider {
  readonly provider = 'aliyun' as const;
  private readonly endpoint?: EndpointOverride;
  private readonly platform: PlatformIdentity;
  private readonly logger?: Logger;
  private readonly controlTimeoutMs: number;
  private readonly sts = new ClientCache<Sts>();
  private readonly fc = new ClientCache<FC>();
  /** Account (uid) of an access key, for the FC endpoint `<uid>.<region>.fc.aliyuncs.com`. */
  private readonly accountOfKey = new LRUCache<string, string>({ max: 1000 });
  readonly codeBucket: AliyunOss;
  readonly deployer: AliyunFunctionDeployment;

  constructor(options: AliyunProviderOptions = {}) {
    this.endpoint = parseEndpoint(options.endpoint);
    this.platform = options.platform ?? new PlatformIdentity();
    this.logger = options.logger;
    this.controlTimeoutMs = options.controlTimeoutMs ?? 10_000;
    const call = <T>(operation: string, region: string, creds: CloudCredentials, run: () => Promise<T>, requestIdOf: (r: T) => string | undefined, timeoutMs?: number): Promise<T> =>
      this.call(operation, region, creds, run, requestIdOf, timeoutMs);
    this.codeBucket = new AliyunOss({ ...(this.endpoint ? { endpoint: this.endpoint } : {}), call, controlTimeoutMs: this.controlTimeoutMs, uploadTimeoutMs: options.uploadTimeoutMs ?? 10 * 60_000 });
    this.deployer = new AliyunFunctionDeployment({ client: (region, creds) => this.fcClient(region, creds), call, runtime: () => runtime(this.controlTimeoutMs) });
  }

  async assumeRole(req: AssumeRoleRequest): Promise<IssuedCredentials> {
    const caller = this.platform.resolve('aliyun', req.caller);
    const client = this.stsClient(req.region, caller);
    const request = new StsAssumeRoleRequest({
      roleArn: req.roleArn,
      roleSessionName: req.sessionName,
      durationSeconds: req.durationSeconds,
      ...(req.externalId !== undefined ? { externalId: req.externalId } : {}),
      ...(req.sessionPolicy !== undefined ? { policy: JSON.stringify(req.sessionPolicy) } : {}),
    });
    const out = await retryOnce(() => this.call('sts:AssumeRole', req.region, caller, () => client.assumeRole(request), (r) => r.body?.requestId));
    const c = out.body?.credentials;
    if (!c?.accessKeyId || !c.accessKeySecret || !c.securityToken || !c.expiration) throw incomplete('sts:AssumeRole');
    const expiration = new Date(c.expiration);
    if (Number.isNaN(expiration.getTime())) throw incomplete('sts:AssumeRole');
    const arn = out.body?.assumedRoleUser?.arn;
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: new Sensitive(c.accessKeySecret),
      sessionToken: new Sensitive(c.securityToken),
      expiration,
      ...(arn ? { assumedRoleArn: arn } : {}),
    };
  }

  /** RAM has no GetSessionToken or GetFederationToken: short-lived keys come only from AssumeRole. */
  async sessionCredentials(_keys: CloudCredentials, _req: SessionRequest): Promise<IssuedCredentials> {
    throw new ProviderError({
      kind: 'unsupported',
      provider: 'aliyun',
      operation: 'sts:GetSessionToken',
      message: 'Alibaba Cloud STS cannot mint short-lived credentials from access keys (there is no GetSessionToken or GetFederationToken); use an assume_role connection.',
    });
  }

  async callerIdentity(region: string, creds: CallerCredentials): Promise<CallerIdentity> {
    const caller = this.platform.resolve('aliyun', creds);
    const client = this.stsClient(region, caller);
    const out = await retryOnce(() => this.call('sts:GetCallerIdentity', region, caller, () => client.getCallerIdentity(), (r) => r.body?.requestId));
    const b = out.body;
    if (!b?.arn || !b.accountId) throw incomplete('sts:GetCallerIdentity');
    this.accountOfKey.set(caller.accessKeyId, b.accountId);
    return { arn: b.arn, accountId: b.accountId, ...(b.userId ? { userId: b.userId } : {}) };
  }

  async invoke(creds: CloudCredentials, call: InvokeCall): Promise<InvokeOutcome> {
    const service = requireService(call.namespace, 'fc:InvokeFunction');
    const sync = call.mode === 'sync';
    const limit = sync ? SYNC_LIMIT : ASYNC_LIMIT;
    if (call.payload.length > limit) {
      throw new ProviderError({ kind: 'payload_too_large', provider: 'aliyun', operation: 'fc:InvokeFunction', message: `Function Compute takes at most ${limit} bytes for a${sync ? ' synchronous' : 'n asynchronous'} invocation; the payload has ${call.payload.length}.` });
    }
    const client = await this.fcClient(call.region, creds);
    const started = performance.now();
    const out = await this.call(
      'fc:InvokeFunction',
      call.region,
      creds,
      () =>
        client.invokeFunctionWithOptions(
          service,
          call.functionName,
          new InvokeFunctionRequest({ body: call.payload, ...(call.qualifier ? { qualifier: call.qualifier } : {}) }),
          new InvokeFunctionHeaders({ xFcInvocationType: sync ? 'Sync' : 'Async', xFcLogType: call.logs && sync ? 'Tail' : 'None' }),
          runtime(call.timeoutMs),
        ),
      (r) => header(r.headers, 'x-fc-request-id'),
      call.timeoutMs,
    );
    const payload = Buffer.isBuffer(out.body) ? out.body : Buffer.from(out.body ?? '');
    const errorType = header(out.headers, 'x-fc-error-type');
    const log = header(out.headers, 'x-fc-log-result');
    const requestId = header(out.headers, 'x-fc-request-id');
    return {
      statusCode: out.statusCode ?? (sync ? 200 : 202),
      payload,
      // Still a 200: x-fc-error-type marks a function that failed.
      ...(errorType ? { functionError: parseFunctionError(payload, errorType) } : {}),
      ...(log ? { log: Buffer.from(log, 'base64').toString('utf8') } : {}),
      ...(requestId ? { requestId } : {}),
      durationMs: elapsedMs(started),
    };
  }

  probeBucket(region: string, creds: CloudCredentials, bucket: string): Promise<ProbeResult> {
    return this.codeBucket.probeBucket(region, creds, bucket);
  }

  async probeFunctions(region: string, creds: CloudCredentials, namespace: string | undefined): Promise<ProbeResult> {
    return probe(async () => {
      const client = await this.fcClient(region, creds);
      if (namespace) {
        const out = await this.call(
          'fc:ListFunctions',
          region,
          creds,
          () => client.listFunctionsWithOptions(namespace, new ListFunctionsRequest({ limit: 1 }), new ListFunctionsHeaders({}), runtime(this.controlTimeoutMs)),
          (r) => header(r.headers, 'x-fc-request-id'),
        );
        const first = out.body?.functions?.[0]?.functionName;
        return `Functions of FC service ${namespace} in ${region} can be listed (${first ? `first: ${first}` : 'none found'}).`;
      }
      // Without a service (namespace) the connection may use any service: list those.
      const out = await this.call(
        'fc:ListServices',
        region,
        creds,
        () => client.listServicesWithOptions(new ListServicesRequest({ limit: 1 }), new ListServicesHeaders({}), runtime(this.controlTimeoutMs)),
        (r) => header(r.headers, 'x-fc-request-id'),
      );
      const first = out.body?.services?.[0]?.serviceName;
      return `FC services in ${region} can be listed (${first ? `first: ${first}` : 'none found'}).`;
    });
  }










  close(): void {
    this.sts.clear();
    this.fc.clear();
    this.codeBucket.close();
  }

  private call<T>(operation: string, region: string, creds: CloudCredentials, run: () => Promise<T>, requestIdOf: (r: T) => string | undefined, timeoutMs = this.controlTimeoutMs): Promise<T> {
    const secrets = [creds.secretAccessKey.reveal(), creds.sessionToken?.reveal()];
    // The Aliyun SDKs take no abort signal: their read timeout ends the request, the deadline bounds the wait.
    return callCloud({ provider: 'aliyun', operation, region, timeoutMs: timeoutMs + 1000, logger: this.logger, mapError: (error, op) => mapAliyunError(error, op, secrets), requestIdOf }, () => run());
  }

  private config(region: string, creds: CloudCredentials, endpoint: string | undefined, readTimeoutMs: number): Config {
    return new Config({
      accessKeyId: creds.accessKeyId,
      accessKeySecret: creds.secretAccessKey.reveal(),
      ...(creds.sessionToken ? { securityToken: creds.sessionToken.reveal() } : {}),
      regionId: region,
      ...(endpoint ? { endpoint } : {}),
      ...(this.endpoint ? { protocol: this.endpoint.protocol } : {}),
      readTimeout: readTimeoutMs,
      connectTimeout: 5000,
    });
  }

  private stsClient(region: string, creds: CloudCredentials): Sts {
    // Without an override the SDK picks sts.<region>.aliyuncs.com (its map sends a few regions to sts.aliyuncs.com).
    return this.sts.get(credentialKey(`sts|${region}`, creds), () => new Sts(this.config(region, creds, this.endpoint?.hostPort, this.controlTimeoutMs) as unknown as StsConfig));
  }

  private async fcClient(region: string, creds: CloudCredentials): Promise<FC> {
    // The SDK's default FC endpoint is a literal "account-id" placeholder: the account must be known.
    const endpoint = this.endpoint?.hostPort ?? `${await this.accountId(region, creds)}.${region}.fc.aliyuncs.com`;
    return this.fc.get(credentialKey(`fc|${region}|${endpoint}`, creds), () => new FC(this.config(region, creds, endpoint, 15 * 60_000)));
  }

  /** The uid owning the keys: from the assumed-role ARN when there is one, else GetCallerIdentity (cached). */
  private async accountId(region: string, creds: CloudCredentials): Promise<string> {
    const fromArn = ACCOUNT_OF_ROLE_ARN.exec((creds as Partial<IssuedCredentials>).assumedRoleArn ?? '')?.[1];
    if (fromArn) return fromArn;
    return this.accountOfKey.get(creds.accessKeyId) ?? (await this.callerIdentity(region, creds)).accountId;
  }
}

function runtime(timeoutMs: number): FcRuntime {
  // A plain object is all the FC client reads from its runtime options (readTimeout, connectTimeout).
  return { readTimeout: timeoutMs, connectTimeout: Math.min(5000, timeoutMs) } as FcRuntime;
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const value = headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return value === undefined || value === '' ? undefined : String(value);
}

function requireService(namespace: string | undefined, operation: string): string {
  if (namespace) return namespace;
  throw new ProviderError({ kind: 'invalid_request', provider: 'aliyun', operation, message: 'Function Compute 2.0 functions live in a service: set the connection namespace to the FC service name.' });
}

function incomplete(operation: string): ProviderError {
  return new ProviderError({ kind: 'unavailable', provider: 'aliyun', operation, message: `Alibaba Cloud ${operation} answered without the expected fields.` });
}
