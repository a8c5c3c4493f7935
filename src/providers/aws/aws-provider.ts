import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, type Credentials, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
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
import { callCloud, elapsedMs, parseFunctionError, probe } from '../shared/call';
import { ClientCache, credentialKey } from '../shared/client-cache';
import { type EndpointOverride, parseEndpoint } from '../shared/endpoint';
import { AwsDeployment } from './aws-deployment';
import { mapAwsError } from './aws-errors';

export interface AwsProviderOptions {
  /** `TetherConfig.endpoints.aws`: every STS, Lambda and S3 call goes there (emulators, private endpoints). */
  endpoint?: string;
  platform?: PlatformIdentity;
  logger?: Logger;
  /** Deadline of STS calls and probes (default 10 s); invocations carry their own. */
  controlTimeoutMs?: number;
  /** Deadline of one code package upload to S3 (default 5 min). */
  uploadTimeoutMs?: number;
  /** How often, and how long at most, to wait for a Lambda code update before updating the configuration (default 1 s, 60 s). */
  updatePollMs?: number;
  updateWaitMs?: number;
}

type AwsSdkCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date };

/** GetFederationToken's Name is 2–32 characters of [\w+=,.@-]. */
export function federationName(name: string): string {
  const cleaned = name.replace(/[^\w+=,.@-]/g, '-').slice(0, 32);
  return cleaned.length >= 2 ? cleaned : `${cleaned}--`.slice(0, 2);
}

/** AWS: STS, Lambda and S3 through the v3 SDK. */
export class AwsFunctionProvider implements CloudFunctionProvider {
  readonly provider = 'aws' as const;
  private readonly endpoint?: EndpointOverride;
  private readonly platform: PlatformIdentity;
  private readonly logger?: Logger;
  private readonly controlTimeoutMs: number;
  private readonly sts = new ClientCache<STSClient>();
  private readonly lambda = new ClientCache<LambdaClient>();
  private readonly s3 = new ClientCache<S3Client>();
  readonly codeBucket: AwsDeployment;
  readonly deployer: AwsDeployment;

  constructor(options: AwsProviderOptions = {}) {
    this.endpoint = parseEndpoint(options.endpoint);
    this.platform = options.platform ?? new PlatformIdentity();
    this.logger = options.logger;
    this.controlTimeoutMs = options.controlTimeoutMs ?? 10_000;
    this.codeBucket = this.deployer = new AwsDeployment(
      {
        lambda: (region, creds) => this.lambdaClient(region, creds),
        s3: (region, creds, purpose) => this.s3Client(region, creds, purpose),
        call: (operation, region, creds, run, opts = {}) => this.call(operation, region, creds, run, opts.timeoutMs, opts.secrets),
      },
      {
        controlTimeoutMs: this.controlTimeoutMs,
        ...(options.uploadTimeoutMs !== undefined ? { uploadTimeoutMs: options.uploadTimeoutMs } : {}),
        ...(options.updatePollMs !== undefined ? { updatePollMs: options.updatePollMs } : {}),
        ...(options.updateWaitMs !== undefined ? { updateWaitMs: options.updateWaitMs } : {}),
      },
    );
  }

  async assumeRole(req: AssumeRoleRequest): Promise<IssuedCredentials> {
    const client = this.stsClient(req.region, req.caller);
    const out = await this.call('sts:AssumeRole', req.region, req.caller, (signal) =>
      client.send(
        new AssumeRoleCommand({
          RoleArn: req.roleArn,
          RoleSessionName: req.sessionName,
          DurationSeconds: req.durationSeconds,
          // Only sent when given: validation proves the role refuses a call without it.
          ...(req.externalId !== undefined ? { ExternalId: req.externalId } : {}),
          ...(req.sessionPolicy !== undefined ? { Policy: JSON.stringify(req.sessionPolicy) } : {}),
          ...(req.sessionTags ? { Tags: Object.entries(req.sessionTags).map(([Key, Value]) => ({ Key, Value })) } : {}),
        }),
        { abortSignal: signal, requestTimeout: this.controlTimeoutMs },
      ),
    );
    return { ...issued(out.Credentials, 'sts:AssumeRole'), ...(out.AssumedRoleUser?.Arn ? { assumedRoleArn: out.AssumedRoleUser.Arn } : {}) };
  }

  async sessionCredentials(keys: CloudCredentials, req: SessionRequest): Promise<IssuedCredentials> {
    const client = this.stsClient(req.region, keys);
    if (req.sessionPolicy === undefined) {
      const out = await this.call('sts:GetSessionToken', req.region, keys, (signal) =>
        client.send(new GetSessionTokenCommand({ DurationSeconds: req.durationSeconds }), { abortSignal: signal, requestTimeout: this.controlTimeoutMs }),
      );
      return issued(out.Credentials, 'sts:GetSessionToken');
    }
    // GetSessionToken takes no policy; a federation token is the user's permissions narrowed by it.
    const out = await this.call('sts:GetFederationToken', req.region, keys, (signal) =>
      client.send(new GetFederationTokenCommand({ Name: federationName(req.name), DurationSeconds: req.durationSeconds, Policy: JSON.stringify(req.sessionPolicy) }), {
        abortSignal: signal,
        requestTimeout: this.controlTimeoutMs,
      }),
    );
    return { ...issued(out.Credentials, 'sts:GetFederationToken'), ...(out.FederatedUser?.Arn ? { assumedRoleArn: out.FederatedUser.Arn } : {}) };
  }

  async callerIdentity(region: string, creds: CallerCredentials): Promise<CallerIdentity> {
    const client = this.stsClient(region, creds);
    const out = await this.call('sts:GetCallerIdentity', region, creds, (signal) =>
      client.send(new GetCallerIdentityCommand({}), { abortSignal: signal, requestTimeout: this.controlTimeoutMs }),
    );
    if (!out.Arn || !out.Account) throw incomplete('sts:GetCallerIdentity');
    return { arn: out.Arn, accountId: out.Account, ...(out.UserId ? { userId: out.UserId } : {}) };
  }

  async invoke(creds: CloudCredentials, call: InvokeCall): Promise<InvokeOutcome> {
    const client = this.lambdaClient(call.region, creds);
    const started = performance.now();
    const sync = call.mode === 'sync';
    const out = await this.call(
      'lambda:Invoke',
      call.region,
      creds,
      (signal) =>
        client.send(
          new InvokeCommand({
            FunctionName: call.functionName,
            ...(call.qualifier ? { Qualifier: call.qualifier } : {}),
            InvocationType: sync ? 'RequestResponse' : 'Event',
            // Lambda only returns a log tail for synchronous calls.
            LogType: call.logs && sync ? 'Tail' : 'None',
            Payload: call.payload,
          }),
          { abortSignal: signal, requestTimeout: call.timeoutMs },
        ),
      call.timeoutMs,
    );
    const payload = Buffer.from(out.Payload ?? new Uint8Array());
    return {
      statusCode: out.StatusCode ?? (sync ? 200 : 202),
      payload,
      // Still a 200: the failure travels in X-Amz-Function-Error and the body.
      ...(out.FunctionError ? { functionError: parseFunctionError(payload, out.FunctionError) } : {}),
      ...(out.LogResult ? { log: Buffer.from(out.LogResult, 'base64').toString('utf8') } : {}),
      ...(out.$metadata.requestId ? { requestId: out.$metadata.requestId } : {}),
      durationMs: elapsedMs(started),
    };
  }

  async probeBucket(region: string, creds: CloudCredentials, bucket: string): Promise<ProbeResult> {
    const client = this.s3Client(region, creds);
    // ListObjectsV2 rather than HeadBucket: HEAD errors have no body, so no code to show the user.
    return probe(async () => {
      const out = await this.call('s3:ListObjectsV2', region, creds, (signal) =>
        client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }), { abortSignal: signal, requestTimeout: this.controlTimeoutMs }),
      );
      return `S3 bucket ${bucket} can be listed (${out.KeyCount ?? 0} object${out.KeyCount === 1 ? '' : 's'} in the first page of one).`;
    });
  }

  async probeFunctions(region: string, creds: CloudCredentials, _namespace: string | undefined): Promise<ProbeResult> {
    const client = this.lambdaClient(region, creds);
    return probe(async () => {
      const out = await this.call('lambda:ListFunctions', region, creds, (signal) =>
        client.send(new ListFunctionsCommand({ MaxItems: 1 }), { abortSignal: signal, requestTimeout: this.controlTimeoutMs }),
      );
      const n = out.Functions?.length ?? 0;
      return `Lambda functions in ${region} can be listed (${n === 0 ? 'none found' : `first: ${out.Functions![0]!.FunctionName}`}).`;
    });
  }

  // Deployment: S3 packages and Lambda functions (aws-deployment.ts).









  /** Drops cached clients and their sockets (module shutdown). */
  close(): void {
    const clients: { destroy(): void }[] = [...this.sts.values(), ...this.lambda.values(), ...this.s3.values()];
    for (const client of clients) client.destroy();
    this.sts.clear();
    this.lambda.clear();
    this.s3.clear();
  }

  /** `extraSecrets`: values besides the keys that must not survive in an error message (environment values of a deployment). */
  private call<T extends { $metadata: { requestId?: string } }>(
    operation: string,
    region: string,
    creds: CallerCredentials,
    run: (signal: AbortSignal) => Promise<T>,
    timeoutMs = this.controlTimeoutMs,
    extraSecrets: readonly string[] = [],
  ): Promise<T> {
    const secrets = [...(creds === 'ambient' ? [] : [creds.secretAccessKey.reveal(), creds.sessionToken?.reveal()]), ...extraSecrets];
    return callCloud(
      {
        provider: 'aws',
        operation,
        region,
        // A little slack over the HTTP client's own timeout, so its (more precise) error wins.
        timeoutMs: timeoutMs + 1000,
        logger: this.logger,
        mapError: (error, op) => mapAwsError(error, op, secrets),
        requestIdOf: (out) => out.$metadata.requestId,
      },
      run,
    );
  }

  private common(region: string, creds: CallerCredentials): { region: string; endpoint?: string; credentials?: AwsSdkCredentials } {
    return { region, ...(this.endpoint ? { endpoint: this.endpoint.url } : {}), ...this.credentialsOption(creds) };
  }

  private credentialsOption(creds: CallerCredentials): { credentials?: AwsSdkCredentials } {
    if (creds === 'ambient') {
      const ambient = this.platform.aws();
      // The default chain: no credentials option at all, so the SDK resolves (and refreshes) them itself.
      return ambient.kind === 'default-chain' ? {} : { credentials: sdkCredentials(ambient.credentials) };
    }
    return { credentials: sdkCredentials(creds) };
  }

  private sdkLogger(): SdkLogger {
    const write = (...content: unknown[]): void => this.logger?.debug({ provider: 'aws', sdk: content.map(String).join(' ') }, 'aws sdk');
    return { debug: () => undefined, info: () => undefined, warn: write, error: write };
  }

  private stsClient(region: string, creds: CallerCredentials): STSClient {
    return this.sts.get(credentialKey(`sts|${region}`, creds), () =>
      new STSClient({
        ...this.common(region, creds),
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 5000, requestTimeout: this.controlTimeoutMs, throwOnRequestTimeout: true },
      }),
    );
  }

  private lambdaClient(region: string, creds: CloudCredentials): LambdaClient {
    return this.lambda.get(credentialKey(`lambda|${region}`, creds), () =>
      new LambdaClient({
        ...this.common(region, creds),
        // Tether retries invocations itself, where it knows whether a retry is safe.
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 5000, requestTimeout: 15 * 60_000, throwOnRequestTimeout: true },
      }),
    );
  }

  /** `upload` clients never retry: a streamed package body cannot be read a second time. */
  private s3Client(region: string, creds: CloudCredentials, purpose: 'control' | 'upload' = 'control'): S3Client {
    return this.s3.get(credentialKey(`s3-${purpose}|${region}`, creds), () =>
      new S3Client({
        ...this.common(region, creds),
        maxAttempts: purpose === 'upload' ? 1 : 2,
        // The SDK's retry step writes a warning to the console for a failed streamed upload; the failure itself is reported as a ProviderError.
        ...(purpose === 'upload' ? { logger: this.sdkLogger() } : {}),
        // Emulators and private endpoints are path-style; real S3 may redirect to the bucket's region.
        ...(this.endpoint ? { forcePathStyle: true } : { followRegionRedirects: true }),
        requestHandler: { connectionTimeout: 5000, requestTimeout: this.controlTimeoutMs, throwOnRequestTimeout: true },
      }),
    );
  }
}

/** The SDK's logger interface, routed to pino at debug level (the SDK never logs keys, but its lines are noise above debug). */
type SdkLogger = { debug(...content: unknown[]): void; info(...content: unknown[]): void; warn(...content: unknown[]): void; error(...content: unknown[]): void };

function sdkCredentials(creds: CloudCredentials): AwsSdkCredentials {
  return {
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey.reveal(),
    ...(creds.sessionToken ? { sessionToken: creds.sessionToken.reveal() } : {}),
    ...(creds.expiration ? { expiration: creds.expiration } : {}),
  };
}

function issued(credentials: Credentials | undefined, operation: string): IssuedCredentials {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !credentials.Expiration) throw incomplete(operation);
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: new Sensitive(credentials.SecretAccessKey),
    sessionToken: new Sensitive(credentials.SessionToken),
    expiration: new Date(credentials.Expiration),
  };
}

function incomplete(operation: string): ProviderError {
  return new ProviderError({ kind: 'unavailable', provider: 'aws', operation, message: `AWS ${operation} answered without the expected fields.` });
}
