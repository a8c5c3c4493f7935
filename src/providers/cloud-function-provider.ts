import type { CloudProvider } from '../cloud-identifiers';
import type { Sensitive } from '../common/logging/sensitive';
import type { CodeBucket, FunctionDeployer } from './deployment';
import type { ProviderError } from './provider-error';

/** Keys to call a cloud with: long-lived (access_key connections, the platform's own) or temporary. */
export interface CloudCredentials {
  accessKeyId: string;
  secretAccessKey: Sensitive<string>;
  sessionToken?: Sensitive<string>;
  expiration?: Date;
}

/** Who calls STS: explicit keys, or the platform's ambient identity ('ambient': AWS default provider chain / ALIBABA_CLOUD_* / TENCENTCLOUD_* as resolved by PlatformIdentity). */
export type CallerCredentials = CloudCredentials | 'ambient';

/** One STS AssumeRole call. `externalId` is optional only so validation can prove the role refuses a call without it. */
export interface AssumeRoleRequest {
  region: string;
  roleArn: string;
  externalId?: string;
  sessionName: string;
  durationSeconds: number;
  /** Narrows the role's permissions for this session; sent as the cloud's inline session policy. */
  sessionPolicy?: object;
  /** AWS session tags (provenance); the role's trust policy must allow sts:TagSession. Other clouds ignore them. */
  sessionTags?: Readonly<Record<string, string>>;
  caller: CallerCredentials;
}

/** Temporary credentials as the cloud issued them; `expiration` is the cloud's own. */
export interface IssuedCredentials extends CloudCredentials {
  expiration: Date;
  /** The session's ARN where the cloud reports one (AWS assumed-role ARN, Aliyun AssumedRoleUser.Arn). */
  assumedRoleArn?: string;
}

/** What GetCallerIdentity answers. */
export interface CallerIdentity {
  arn: string;
  accountId: string;
  userId?: string;
}

/** One function invocation. `namespace` is the FC 2.0 service on Aliyun and the SCF namespace on Tencent; AWS has none. */
export interface InvokeCall {
  region: string;
  functionName: string;
  namespace?: string;
  qualifier?: string;
  payload: Buffer;
  mode: 'sync' | 'async';
  logs: boolean;
  timeoutMs: number;
}

/** The result of an invocation. A function that throws is an outcome with `functionError`, never an exception. */
export interface InvokeOutcome {
  statusCode: number;
  payload: Buffer;
  functionError?: { type: string; message: string };
  log?: string;
  requestId?: string;
  durationMs: number;
}

/** The outcome of a reachability probe (validation checks): a refusal is a result, not an exception. */
export interface ProbeResult {
  ok: boolean;
  detail: string;
  error?: ProviderError;
}

/** Short-lived credentials minted from long-lived keys. */
export interface SessionRequest {
  region: string;
  durationSeconds: number;
  sessionPolicy?: object;
  /** The federated user's name (GetFederationToken); cut to the cloud's limits. */
  name: string;
}

/**
 * The one seam between Tether and a cloud. Everything above it is provider-neutral; every
 * implementation maps its SDK's failures onto {@link ProviderError}.
 */
export interface CloudFunctionProvider {
  readonly provider: CloudProvider;
  /** The connection's code bucket: S3, OSS or COS. */
  readonly codeBucket: CodeBucket;
  /** Deploys functions from the code bucket: Lambda, FC 2.0 or SCF. */
  readonly deployer: FunctionDeployer;
  assumeRole(req: AssumeRoleRequest): Promise<IssuedCredentials>;
  /** Short-lived credentials minted from long-lived keys (AWS GetSessionToken or GetFederationToken when a session policy is given; Tencent GetFederationToken); throws ProviderError kind 'unsupported' where the cloud has no such call (Aliyun). */
  sessionCredentials(keys: CloudCredentials, req: SessionRequest): Promise<IssuedCredentials>;
  callerIdentity(region: string, creds: CallerCredentials): Promise<CallerIdentity>;
  invoke(creds: CloudCredentials, call: InvokeCall): Promise<InvokeOutcome>;
  probeBucket(region: string, creds: CloudCredentials, bucket: string): Promise<ProbeResult>;
  probeFunctions(region: string, creds: CloudCredentials, namespace: string | undefined): Promise<ProbeResult>;
}
