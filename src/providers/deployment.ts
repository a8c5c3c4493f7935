import type { Readable } from 'node:stream';
import type { Sensitive } from '../common/logging/sensitive';
import type { CloudCredentials } from './cloud-function-provider';

/**
 * The deployment half of the provider seam: code packages in the connection's code bucket
 * (S3, OSS, COS) and functions created from them (Lambda, FC 2.0, SCF). Everything here is
 * provider-neutral; each cloud maps its own names onto it.
 */

/** User metadata key under which Tether records a package's SHA-256 (hex) when it uploads it. */
export const PACKAGE_SHA256_METADATA = 'tether-sha256';

/** One object to write into a bucket. The body is read once; `size` and `sha256` are known before the upload starts. */
export interface PutObjectCall {
  region: string;
  bucket: string;
  key: string;
  body: Readable;
  size: number;
  /** Lower-case hex SHA-256 of the body; stored as {@link PACKAGE_SHA256_METADATA} user metadata. */
  sha256: string;
  contentType: string;
}

/** An object as a bucket listing or a HEAD reports it. */
export interface StoredObject {
  key: string;
  size: number;
  lastModified?: Date;
  /** From {@link PACKAGE_SHA256_METADATA}, when Tether uploaded the object (listings do not carry metadata). */
  sha256?: string;
}

export interface ObjectPage {
  objects: StoredObject[];
  /** Opaque continuation marker for the next page, absent on the last page. */
  next?: string;
}

export interface ListObjectsCall {
  region: string;
  bucket: string;
  prefix?: string;
  /** A page holds at most this many objects (the clouds cap it at 1000). */
  limit: number;
  next?: string;
}

/** Names one function: FC 2.0 needs the service (`namespace`), SCF its namespace (`default` when absent), Lambda none. */
export interface FunctionRef {
  region: string;
  namespace?: string;
  functionName: string;
  /**
   * The account that owns the function (optional). SCF reports the execution role by name only;
   * with the owner uin the Tencent provider reports it as the role's ARN, as it was deployed.
   */
  accountId?: string;
}

/** Everything a function is deployed with. Environment values are already resolved (secret references opened). */
export interface FunctionSpec extends FunctionRef {
  runtime: string;
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  environment: Record<string, Sensitive<string>>;
  /** The package in the code bucket. */
  code: { bucket: string; key: string };
  /** The role the function runs as (Lambda requires one; FC and SCF take one optionally). */
  executionRoleArn?: string;
  description?: string;
}

/** Neutral lifecycle state: Lambda's Pending/Active/Failed/Inactive, FC's and SCF's equivalents. */
export type FunctionState = 'pending' | 'active' | 'failed' | 'inactive';

/** A function as the cloud reports it. Environment values are never read back, only their names. */
export interface DeployedFunction {
  name: string;
  namespace?: string;
  state: FunctionState;
  /** The cloud's sentence for a pending or failed state. */
  stateReason?: string;
  runtime: string;
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** The cloud's own fingerprint of the code (Lambda: base64 SHA-256; FC: CRC-64; SCF: what it reports). */
  cloudCodeHash?: string;
  codeSize?: number;
  lastModified?: string;
  environmentKeys: string[];
  executionRoleArn?: string;
}

export interface FunctionPage {
  functions: DeployedFunction[];
  next?: string;
}

/** What an update rewrites: the code, the configuration, or both. */
export interface FunctionUpdate {
  code: boolean;
  configuration: boolean;
}

/**
 * A connection's code bucket (S3, OSS, COS). Refusals and failures are `ProviderError`s keeping the
 * cloud's code; a missing object on `headObject` is `undefined`, not an error.
 */
export interface CodeBucket {
  putObject(creds: CloudCredentials, call: PutObjectCall): Promise<StoredObject>;
  headObject(creds: CloudCredentials, region: string, bucket: string, key: string): Promise<StoredObject | undefined>;
  listObjects(creds: CloudCredentials, call: ListObjectsCall): Promise<ObjectPage>;
}

/**
 * Functions created from code packages (Lambda, FC 2.0, SCF). Refusals and failures are
 * `ProviderError`s (kind `not_found`, `access_denied`, `invalid_request`, `conflict`, …) keeping the
 * cloud's code; a missing function on `getFunction` is `undefined`, not an error.
 */
export interface FunctionDeployer {
  getFunction(creds: CloudCredentials, ref: FunctionRef): Promise<DeployedFunction | undefined>;
  createFunction(creds: CloudCredentials, spec: FunctionSpec): Promise<DeployedFunction>;
  /** Rewrites what `update` names; the cloud may answer while the function is still pending. */
  updateFunction(creds: CloudCredentials, spec: FunctionSpec, update: FunctionUpdate): Promise<DeployedFunction>;
  /** Publishes the current code and configuration as a new immutable version; returns its id. */
  publishVersion(creds: CloudCredentials, ref: FunctionRef): Promise<string>;
  deleteFunction(creds: CloudCredentials, ref: FunctionRef): Promise<void>;
  listFunctions(creds: CloudCredentials, region: string, namespace: string | undefined, next?: string): Promise<FunctionPage>;
}
