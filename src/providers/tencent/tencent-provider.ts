import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Logger } from 'pino';
import { scf } from 'tencentcloud-sdk-nodejs/tencentcloud/services/scf';
import type { InvokeRequest, InvokeResponse, ListFunctionsResponse } from 'tencentcloud-sdk-nodejs/tencentcloud/services/scf/v20180416/scf_models';
import { sts } from 'tencentcloud-sdk-nodejs/tencentcloud/services/sts';
import type { AssumeRoleResponse, Credentials, GetCallerIdentityResponse, GetFederationTokenResponse } from 'tencentcloud-sdk-nodejs/tencentcloud/services/sts/v20180813/sts_models';
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
import { TencentCos } from './tencent-cos';
import { TencentDeployment, type TencentDeploymentOptions } from './tencent-deployment';
import { mapTencentError } from './tencent-errors';

export interface TencentProviderOptions {
  /** `TetherConfig.endpoints.tencent`: STS, SCF and COS calls all go there. */
  endpoint?: string;
  platform?: PlatformIdentity;
  logger?: Logger;
  /** Deadline of STS calls and probes (default 10 s); invocations carry their own. */
  controlTimeoutMs?: number;
  /** How deployments wait between two SCF changes of one function. */
  deployment?: TencentDeploymentOptions;
}

type StsClient = InstanceType<typeof sts.v20180813.Client>;
type ScfClient = InstanceType<typeof scf.v20180416.Client>;

// SCF Invoke limits (clouds.md §5.3): ClientContext ≤ 6 MB synchronous, ≤ 128 KB asynchronous.
const SYNC_LIMIT = 6 * 1024 * 1024;
const ASYNC_LIMIT = 128 * 1024;

/** GetFederationToken's Name: letters, digits and [+=,.@_-], at most 32 characters here (CAM's exact limit is unconfirmed). */
export function tencentFederationName(name: string): string {
  const cleaned = name.replace(/[^\w+=,.@-]/g, '-').slice(0, 32);
  return cleaned.length >= 2 ? cleaned : `${cleaned}--`.slice(0, 2);
}

/** Tencent Cloud: STS (CAM roles), SCF (invocation and deployment) and COS (the code bucket). */
export class TencentFunctionProvider implements CloudFunctionProvider {
  readonly provider = 'tencent' as const;
  private readonly endpoint?: EndpointOverride;
  private readonly platform: PlatformIdentity;
  private readonly logger?: Logger;
  private readonly controlTimeoutMs: number;
  /**
   * An explicit agent, so the SDK never falls back to https-proxy-agent because an `http_proxy`
   * variable happens to be set. Agents hold sockets, not credentials: sharing one is safe.
   */
  private readonly agent: HttpAgent;
  private readonly sts = new ClientCache<StsClient>();
  private readonly scf = new ClientCache<ScfClient>();
  readonly codeBucket: TencentCos;
  readonly deployer: TencentDeployment;

  constructor(options: TencentProviderOptions = {}) {
    this.endpoint = parseEndpoint(options.endpoint);
    this.platform = options.platform ?? new PlatformIdentity();
    this.logger = options.logger;
    this.controlTimeoutMs = options.controlTimeoutMs ?? 10_000;
    this.agent = this.endpoint?.protocol === 'http' ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
    this.codeBucket = new TencentCos({ endpoint: this.endpoint, logger: this.logger, controlTimeoutMs: this.controlTimeoutMs });
    this.deployer = new TencentDeployment(
      (operation, region, creds, action, params) => {
        const client = this.scfClient(region, creds);
        return this.call(operation, region, creds, (signal) => client.request(action, params, { signal }));
      },
      options.deployment,
    );
  }

  async assumeRole(req: AssumeRoleRequest): Promise<IssuedCredentials> {
    const caller = this.platform.resolve('tencent', req.caller);
    const client = this.stsClient(req.region, caller);
    const params = {
      RoleArn: req.roleArn,
      RoleSessionName: req.sessionName,
      DurationSeconds: req.durationSeconds,
      ...(req.externalId !== undefined ? { ExternalId: req.externalId } : {}),
      // CAM takes the session policy URL-encoded.
      ...(req.sessionPolicy !== undefined ? { Policy: encodeURIComponent(JSON.stringify(req.sessionPolicy)) } : {}),
    };
    const out = await retryOnce(() => this.call<AssumeRoleResponse>('sts:AssumeRole', req.region, caller, (signal) => client.request('AssumeRole', params, { signal })));
    return issued(out, 'sts:AssumeRole');
  }

  /**
   * GetFederationToken. CAM requires a policy for it (a federation token without one would carry
   * nothing, and Tether will not invent a grant), so a request without `sessionPolicy` is refused.
   */
  async sessionCredentials(keys: CloudCredentials, req: SessionRequest): Promise<IssuedCredentials> {
    if (req.sessionPolicy === undefined) {
      throw new ProviderError({
        kind: 'invalid_request',
        provider: 'tencent',
        operation: 'sts:GetFederationToken',
        message: 'Tencent Cloud GetFederationToken requires a policy: give a session policy naming what the credentials may do.',
      });
    }
    const client = this.stsClient(req.region, keys);
    const params = { Name: tencentFederationName(req.name), Policy: encodeURIComponent(JSON.stringify(req.sessionPolicy)), DurationSeconds: req.durationSeconds };
    const out = await retryOnce(() => this.call<GetFederationTokenResponse>('sts:GetFederationToken', req.region, keys, (signal) => client.request('GetFederationToken', params, { signal })));
    return issued(out, 'sts:GetFederationToken');
  }

  async callerIdentity(region: string, creds: CallerCredentials): Promise<CallerIdentity> {
    const caller = this.platform.resolve('tencent', creds);
    const client = this.stsClient(region, caller);
    const out = await retryOnce(() => this.call<GetCallerIdentityResponse>('sts:GetCallerIdentity', region, caller, (signal) => client.request('GetCallerIdentity', {}, { signal })));
    if (!out.Arn || !out.AccountId) throw incomplete('sts:GetCallerIdentity');
    return { arn: out.Arn, accountId: out.AccountId, ...(out.UserId ? { userId: out.UserId } : {}) };
  }

  async invoke(creds: CloudCredentials, call: InvokeCall): Promise<InvokeOutcome> {
    const sync = call.mode === 'sync';
    const limit = sync ? SYNC_LIMIT : ASYNC_LIMIT;
    if (call.payload.length > limit) {
      throw new ProviderError({ kind: 'payload_too_large', provider: 'tencent', operation: 'scf:Invoke', message: `SCF takes at most ${limit} bytes for a${sync ? ' synchronous' : 'n asynchronous'} invocation; the payload has ${call.payload.length}.` });
    }
    const client = this.scfClient(call.region, creds);
    const params: InvokeRequest = {
      FunctionName: call.functionName,
      Namespace: call.namespace ?? 'default',
      InvocationType: sync ? 'RequestResponse' : 'Event',
      LogType: call.logs && sync ? 'Tail' : 'None',
      // Invoke takes the event as a JSON string (the sync-only InvokeFunction would take Event).
      ClientContext: call.payload.toString('utf8'),
      ...(call.qualifier ? { Qualifier: call.qualifier } : {}),
    };
    const started = performance.now();
    const out = await this.call<InvokeResponse>('scf:Invoke', call.region, creds, (signal) => client.request('Invoke', params, { signal }), call.timeoutMs);
    const result = out.Result ?? {};
    const failed = (result.ErrMsg !== undefined && result.ErrMsg !== '') || (result.InvokeResult !== undefined && result.InvokeResult !== 0);
    const requestId = result.FunctionRequestId || out.RequestId;
    return {
      statusCode: sync ? 200 : 202,
      payload: Buffer.from(result.RetMsg ?? '', 'utf8'),
      // Still a success response: ErrMsg (and a non-zero InvokeResult) mark a function that failed.
      ...(failed ? { functionError: parseFunctionError(result.ErrMsg || 'function failed', 'FunctionError') } : {}),
      ...(result.Log ? { log: result.Log } : {}),
      ...(requestId ? { requestId } : {}),
      durationMs: elapsedMs(started),
    };
  }

  probeBucket(region: string, creds: CloudCredentials, bucket: string): Promise<ProbeResult> {
    return this.codeBucket.probeBucket(region, creds, bucket);
  }

  async probeFunctions(region: string, creds: CloudCredentials, namespace: string | undefined): Promise<ProbeResult> {
    const ns = namespace ?? 'default';
    const client = this.scfClient(region, creds);
    return probe(async () => {
      const out = await this.call<ListFunctionsResponse>('scf:ListFunctions', region, creds, (signal) => client.request('ListFunctions', { Namespace: ns, Limit: 1 }, { signal }));
      const first = out.Functions?.[0]?.FunctionName;
      return `SCF functions of namespace ${ns} in ${region} can be listed (${out.TotalCount ?? 0} in total${first ? `, first: ${first}` : ''}).`;
    });
  }










  close(): void {
    this.sts.clear();
    this.scf.clear();
    this.codeBucket.close();
    this.agent.destroy();
  }

  private call<T extends { RequestId?: string }>(operation: string, region: string, creds: CloudCredentials, run: (signal: AbortSignal) => Promise<T>, timeoutMs = this.controlTimeoutMs): Promise<T> {
    const secrets = [creds.secretAccessKey.reveal(), creds.sessionToken?.reveal()];
    return callCloud({ provider: 'tencent', operation, region, timeoutMs, logger: this.logger, mapError: (error, op) => mapTencentError(error, op, secrets), requestIdOf: (r) => r.RequestId }, run);
  }

  private profile(timeoutMs: number): { httpProfile: { endpoint?: string; protocol?: string; reqTimeout: number; agent: HttpAgent } } {
    return {
      httpProfile: {
        ...(this.endpoint ? { endpoint: this.endpoint.hostPort, protocol: `${this.endpoint.protocol}://` } : {}),
        // Seconds; the per-call abort signal is what enforces shorter deadlines.
        reqTimeout: Math.ceil(timeoutMs / 1000),
        agent: this.agent,
      },
    };
  }

  private credential(creds: CloudCredentials): { secretId: string; secretKey: string; token?: string } {
    return { secretId: creds.accessKeyId, secretKey: creds.secretAccessKey.reveal(), ...(creds.sessionToken ? { token: creds.sessionToken.reveal() } : {}) };
  }

  private stsClient(region: string, creds: CloudCredentials): StsClient {
    // Default endpoint sts.tencentcloudapi.com; X-TC-Region is required even for STS.
    return this.sts.get(credentialKey(`sts|${region}`, creds), () => new sts.v20180813.Client({ credential: this.credential(creds), region, profile: this.profile(this.controlTimeoutMs) }));
  }

  private scfClient(region: string, creds: CloudCredentials): ScfClient {
    // Default endpoint scf.tencentcloudapi.com; synchronous invocations may run up to 300 s.
    return this.scf.get(credentialKey(`scf|${region}`, creds), () => new scf.v20180416.Client({ credential: this.credential(creds), region, profile: this.profile(300_000) }));
  }
}

function issued(out: { Credentials?: Credentials; ExpiredTime?: number; Expiration?: string }, operation: string): IssuedCredentials {
  const c = out.Credentials;
  if (!c?.TmpSecretId || !c.TmpSecretKey || !c.Token) throw incomplete(operation);
  // Expiration (ISO) when present, else ExpiredTime (Unix seconds).
  const expiration = out.Expiration ? new Date(out.Expiration) : out.ExpiredTime !== undefined ? new Date(out.ExpiredTime * 1000) : undefined;
  if (!expiration || Number.isNaN(expiration.getTime())) throw incomplete(operation);
  return { accessKeyId: c.TmpSecretId, secretAccessKey: new Sensitive(c.TmpSecretKey), sessionToken: new Sensitive(c.Token), expiration };
}

function incomplete(operation: string): ProviderError {
  return new ProviderError({ kind: 'unavailable', provider: 'tencent', operation, message: `Tencent Cloud ${operation} answered without the expected fields.` });
}
