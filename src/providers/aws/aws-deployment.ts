import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListFunctionsCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CloudCredentials } from '../cloud-function-provider';
import {
  type CodeBucket,
  type FunctionDeployer,
  type DeployedFunction,
  type FunctionPage,
  type FunctionRef,
  type FunctionSpec,
  type FunctionState,
  type FunctionUpdate,
  type ListObjectsCall,
  type ObjectPage,
  PACKAGE_SHA256_METADATA,
  type PutObjectCall,
  type StoredObject,
} from '../deployment';
import { isProviderError, ProviderError } from '../provider-error';
import { withDeploymentField } from './aws-errors';

/** What the deployment calls borrow from {@link AwsFunctionProvider}: its clients and its one way of calling the cloud. */
export interface AwsDeploymentDeps {
  lambda(region: string, creds: CloudCredentials): LambdaClient;
  /** `upload`: a client that never retries, because a streamed body cannot be sent twice. */
  s3(region: string, creds: CloudCredentials, purpose: 'control' | 'upload'): S3Client;
  call<T extends { $metadata: { requestId?: string } }>(
    operation: string,
    region: string,
    creds: CloudCredentials,
    run: (signal: AbortSignal) => Promise<T>,
    options?: { timeoutMs?: number; secrets?: readonly string[] },
  ): Promise<T>;
}

export interface AwsDeploymentOptions {
  /** Deadline of control calls (Lambda, HEAD, listings). */
  controlTimeoutMs: number;
  /** Deadline of one package upload (default 5 min: 50 MB on a slow link). */
  uploadTimeoutMs?: number;
  /** Between a code and a configuration update Lambda must finish the first: how often to look (default 1 s) … */
  updatePollMs?: number;
  /** … and for how long at most (default 60 s). */
  updateWaitMs?: number;
}

/** Lambda lists at most 50 functions a page unless asked for more; Tether pages through them. */
const FUNCTIONS_PAGE = 50;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The deployment half of the AWS provider: packages in S3 (with the `tether-sha256` metadata and an
 * S3-verified SHA-256 checksum) and Lambda functions created and updated from them.
 */
export class AwsDeployment implements CodeBucket, FunctionDeployer {
  private readonly controlTimeoutMs: number;
  private readonly uploadTimeoutMs: number;
  private readonly updatePollMs: number;
  private readonly updateWaitMs: number;

  constructor(
    private readonly deps: AwsDeploymentDeps,
    options: AwsDeploymentOptions,
  ) {
    this.controlTimeoutMs = options.controlTimeoutMs;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? 5 * 60_000;
    this.updatePollMs = options.updatePollMs ?? 1000;
    this.updateWaitMs = options.updateWaitMs ?? 60_000;
  }

  async putObject(creds: CloudCredentials, call: PutObjectCall): Promise<StoredObject> {
    const client = this.deps.s3(call.region, creds, 'upload');
    await this.deps.call(
      's3:PutObject',
      call.region,
      creds,
      (signal) =>
        client.send(
          new PutObjectCommand({
            Bucket: call.bucket,
            Key: call.key,
            Body: call.body,
            ContentLength: call.size,
            ContentType: call.contentType,
            Metadata: { [PACKAGE_SHA256_METADATA]: call.sha256 },
            // S3 recomputes it and refuses a body that changed on the way (BadDigest).
            ChecksumSHA256: Buffer.from(call.sha256, 'hex').toString('base64'),
          }),
          { abortSignal: signal, requestTimeout: this.uploadTimeoutMs },
        ),
      { timeoutMs: this.uploadTimeoutMs },
    );
    return { key: call.key, size: call.size, sha256: call.sha256 };
  }

  async headObject(creds: CloudCredentials, region: string, bucket: string, key: string): Promise<StoredObject | undefined> {
    const client = this.deps.s3(region, creds, 'control');
    try {
      const out = await this.deps.call('s3:HeadObject', region, creds, (signal) =>
        client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal, requestTimeout: this.controlTimeoutMs }),
      );
      const sha256 = out.Metadata?.[PACKAGE_SHA256_METADATA];
      return { key, size: out.ContentLength ?? 0, ...(out.LastModified ? { lastModified: out.LastModified } : {}), ...(sha256 ? { sha256 } : {}) };
    } catch (error) {
      // A HEAD has no body: a missing key is a bare 404 (a missing bucket too; the listing tells them apart).
      if (isProviderError(error) && error.kind === 'not_found') return undefined;
      throw error;
    }
  }

  async listObjects(creds: CloudCredentials, call: ListObjectsCall): Promise<ObjectPage> {
    const client = this.deps.s3(call.region, creds, 'control');
    const out = await this.deps.call('s3:ListObjectsV2', call.region, creds, (signal) =>
      client.send(
        new ListObjectsV2Command({
          Bucket: call.bucket,
          MaxKeys: Math.min(Math.max(call.limit, 1), 1000),
          ...(call.prefix ? { Prefix: call.prefix } : {}),
          ...(call.next ? { ContinuationToken: call.next } : {}),
        }),
        { abortSignal: signal, requestTimeout: this.controlTimeoutMs },
      ),
    );
    const objects = (out.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? 0, ...(o.LastModified ? { lastModified: o.LastModified } : {}) }));
    return { objects, ...(out.IsTruncated && out.NextContinuationToken ? { next: out.NextContinuationToken } : {}) };
  }

  async getFunction(creds: CloudCredentials, ref: FunctionRef): Promise<DeployedFunction | undefined> {
    const client = this.deps.lambda(ref.region, creds);
    try {
      const out = await this.deps.call('lambda:GetFunction', ref.region, creds, (signal) =>
        client.send(new GetFunctionCommand({ FunctionName: ref.functionName }), { abortSignal: signal, requestTimeout: this.controlTimeoutMs }),
      );
      return deployedFunction(out.Configuration, 'lambda:GetFunction');
    } catch (error) {
      if (isProviderError(error) && error.cloudCode === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  async createFunction(creds: CloudCredentials, spec: FunctionSpec): Promise<DeployedFunction> {
    if (!spec.executionRoleArn) {
      throw new ProviderError({ kind: 'invalid_request', provider: 'aws', operation: 'lambda:CreateFunction', message: 'executionRoleArn: AWS Lambda needs an execution role for every function; set functions.executionRoleArn on the connection.' });
    }
    const client = this.deps.lambda(spec.region, creds);
    const out = await this.lambdaCall('lambda:CreateFunction', spec, creds, (signal) =>
      client.send(
        new CreateFunctionCommand({
          FunctionName: spec.functionName,
          PackageType: 'Zip',
          Code: { S3Bucket: spec.code.bucket, S3Key: spec.code.key },
          Role: spec.executionRoleArn,
          ...configurationOf(spec),
        }),
        { abortSignal: signal, requestTimeout: this.controlTimeoutMs },
      ),
    );
    return deployedFunction(out, 'lambda:CreateFunction');
  }

  /**
   * Code first, then configuration: Lambda refuses a second update while the first is InProgress,
   * so between the two this waits (polling) until the code update is through. A failed code
   * update is answered as it is, without touching the configuration.
   */
  async updateFunction(creds: CloudCredentials, spec: FunctionSpec, update: FunctionUpdate): Promise<DeployedFunction> {
    const client = this.deps.lambda(spec.region, creds);
    let latest: DeployedFunction | undefined;
    if (update.code) {
      const out = await this.lambdaCall('lambda:UpdateFunctionCode', spec, creds, (signal) =>
        client.send(new UpdateFunctionCodeCommand({ FunctionName: spec.functionName, S3Bucket: spec.code.bucket, S3Key: spec.code.key }), { abortSignal: signal, requestTimeout: this.controlTimeoutMs }),
      );
      latest = deployedFunction(out, 'lambda:UpdateFunctionCode');
    }
    if (update.configuration) {
      if (latest?.state === 'pending') latest = await this.waitForUpdate(creds, spec);
      if (latest?.state === 'failed') return latest;
      const out = await this.lambdaCall('lambda:UpdateFunctionConfiguration', spec, creds, (signal) =>
        client.send(
          new UpdateFunctionConfigurationCommand({ FunctionName: spec.functionName, ...(spec.executionRoleArn ? { Role: spec.executionRoleArn } : {}), ...configurationOf(spec) }),
          { abortSignal: signal, requestTimeout: this.controlTimeoutMs },
        ),
      );
      latest = deployedFunction(out, 'lambda:UpdateFunctionConfiguration');
    }
    return latest ?? (await this.requireFunction(creds, spec));
  }

  async publishVersion(creds: CloudCredentials, ref: FunctionRef): Promise<string> {
    const client = this.deps.lambda(ref.region, creds);
    const out = await this.deps.call('lambda:PublishVersion', ref.region, creds, (signal) =>
      client.send(new PublishVersionCommand({ FunctionName: ref.functionName }), { abortSignal: signal, requestTimeout: this.controlTimeoutMs }),
    );
    if (!out.Version) throw new ProviderError({ kind: 'unavailable', provider: 'aws', operation: 'lambda:PublishVersion', message: 'AWS lambda:PublishVersion answered without a Version.' });
    return out.Version;
  }

  async deleteFunction(creds: CloudCredentials, ref: FunctionRef): Promise<void> {
    const client = this.deps.lambda(ref.region, creds);
    await this.deps.call('lambda:DeleteFunction', ref.region, creds, (signal) =>
      client.send(new DeleteFunctionCommand({ FunctionName: ref.functionName }), { abortSignal: signal, requestTimeout: this.controlTimeoutMs }),
    );
  }

  async listFunctions(creds: CloudCredentials, region: string, _namespace: string | undefined, next?: string): Promise<FunctionPage> {
    const client = this.deps.lambda(region, creds);
    const out = await this.deps.call('lambda:ListFunctions', region, creds, (signal) =>
      client.send(new ListFunctionsCommand({ MaxItems: FUNCTIONS_PAGE, ...(next ? { Marker: next } : {}) }), { abortSignal: signal, requestTimeout: this.controlTimeoutMs }),
    );
    const functions = (out.Functions ?? []).map((f) => deployedFunction(f, 'lambda:ListFunctions'));
    return { functions, ...(out.NextMarker ? { next: out.NextMarker } : {}) };
  }

  /** A create or update call: environment values are secrets for the error cleaner, and refusals name their field. */
  private async lambdaCall<T extends { $metadata: { requestId?: string } }>(operation: string, spec: FunctionSpec, creds: CloudCredentials, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const secrets = Object.values(spec.environment).map((value) => value.reveal());
    try {
      return await this.deps.call(operation, spec.region, creds, run, { secrets });
    } catch (error) {
      throw isProviderError(error) ? withDeploymentField(error) : error;
    }
  }

  private async waitForUpdate(creds: CloudCredentials, ref: FunctionRef): Promise<DeployedFunction> {
    const client = this.deps.lambda(ref.region, creds);
    const deadline = Date.now() + this.updateWaitMs;
    for (;;) {
      await sleep(this.updatePollMs);
      const out = await this.deps.call('lambda:GetFunctionConfiguration', ref.region, creds, (signal) =>
        client.send(new GetFunctionConfigurationCommand({ FunctionName: ref.functionName }), { abortSignal: signal, requestTimeout: this.controlTimeoutMs }),
      );
      const current = deployedFunction(out, 'lambda:GetFunctionConfiguration');
      if (current.state !== 'pending') return current;
      if (Date.now() >= deadline) {
        throw new ProviderError({
          kind: 'conflict',
          provider: 'aws',
          operation: 'lambda:UpdateFunctionConfiguration',
          message: `AWS Lambda was still applying the code update of ${ref.functionName} after ${Math.round(this.updateWaitMs / 1000)} s; the configuration was not updated. Deploy again once it is done.`,
        });
      }
    }
  }

  private async requireFunction(creds: CloudCredentials, ref: FunctionRef): Promise<DeployedFunction> {
    const found = await this.getFunction(creds, ref);
    if (!found) throw new ProviderError({ kind: 'not_found', provider: 'aws', operation: 'lambda:GetFunction', message: `AWS Lambda function ${ref.functionName} does not exist in ${ref.region}.` });
    return found;
  }
}

/** The configuration fields CreateFunction and UpdateFunctionConfiguration share; environment values are revealed only here. */
function configurationOf(spec: FunctionSpec): { Runtime: FunctionConfiguration['Runtime']; Handler: string; MemorySize: number; Timeout: number; Description: string; Environment: { Variables: Record<string, string> } } {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.environment)) variables[name] = value.reveal();
  return {
    Runtime: spec.runtime as FunctionConfiguration['Runtime'],
    Handler: spec.handler,
    MemorySize: spec.memoryMb,
    Timeout: spec.timeoutSeconds,
    Description: spec.description ?? '',
    Environment: { Variables: variables },
  };
}

/**
 * Lambda's two status fields in one neutral state: State (Pending/Active/Failed/Inactive) for the
 * function, LastUpdateStatus (InProgress/Successful/Failed) for the latest change to an active one.
 * An active function whose last update failed still runs its old code, but the deployment failed.
 */
export function functionStateOf(config: Pick<FunctionConfiguration, 'State' | 'LastUpdateStatus' | 'StateReason' | 'LastUpdateStatusReason'>): { state: FunctionState; stateReason?: string } {
  switch (config.State) {
    case 'Pending':
      return { state: 'pending', ...(config.StateReason ? { stateReason: config.StateReason } : {}) };
    case 'Failed':
      return { state: 'failed', ...(config.StateReason ? { stateReason: config.StateReason } : {}) };
    case 'Inactive':
      return { state: 'inactive', ...(config.StateReason ? { stateReason: config.StateReason } : {}) };
    default:
      if (config.LastUpdateStatus === 'InProgress') return { state: 'pending', ...(config.LastUpdateStatusReason ? { stateReason: config.LastUpdateStatusReason } : {}) };
      if (config.LastUpdateStatus === 'Failed') return { state: 'failed', ...(config.LastUpdateStatusReason ? { stateReason: config.LastUpdateStatusReason } : {}) };
      return { state: 'active' };
  }
}

/** `2026-01-01T00:00:00.000+0000` (Lambda) as ISO 8601. */
function isoTime(lambdaTime: string | undefined): string | undefined {
  if (!lambdaTime) return undefined;
  const parsed = Date.parse(lambdaTime.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(parsed) ? lambdaTime : new Date(parsed).toISOString();
}

function deployedFunction(config: FunctionConfiguration | undefined, operation: string): DeployedFunction {
  if (!config?.FunctionName) throw new ProviderError({ kind: 'unavailable', provider: 'aws', operation, message: `AWS ${operation} answered without a function configuration.` });
  const lastModified = isoTime(config.LastModified);
  return {
    name: config.FunctionName,
    ...functionStateOf(config),
    runtime: config.Runtime ?? '',
    handler: config.Handler ?? '',
    memoryMb: config.MemorySize ?? 128,
    timeoutSeconds: config.Timeout ?? 3,
    ...(config.CodeSha256 ? { cloudCodeHash: config.CodeSha256 } : {}),
    ...(config.CodeSize !== undefined ? { codeSize: config.CodeSize } : {}),
    ...(lastModified ? { lastModified } : {}),
    // Only the names: the values (possibly secrets) are dropped as soon as they arrive.
    environmentKeys: Object.keys(config.Environment?.Variables ?? {}).sort(),
    ...(config.Role ? { executionRoleArn: config.Role } : {}),
  };
}
