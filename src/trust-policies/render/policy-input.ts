import type { AwsPartition, CloudProvider } from '../../cloud-identifiers';
import { awsPartitionOfRegion, parseCosBucket } from '../../cloud-identifiers';

/** What a connection is allowed to do with functions: call them, or also create and change them. */
export type FunctionCapability = 'invoke' | 'deploy';

/** Everything the renderers need: a connection, its role, the platform principal and its External IDs. */
export interface PolicyInput {
  provider: CloudProvider;
  region: string;
  /** The customer's role. `partition` is AWS only; when absent it is derived from `region`. */
  role: { accountId: string; roleName: string; partition?: AwsPartition };
  /** The platform principal exactly as it stands in the trust policy (an ARN, `acs:ram::<uid>:root`, `qcs::cam::uin/<uin>:root`). */
  principal: string;
  /** One id normally; two during an overlapping rotation, when both must be accepted. */
  externalIds: string[];
  functions: {
    /** None on AWS; the FC 2.0 service on Aliyun (unset: every service); the SCF namespace on Tencent (unset: `default`). */
    namespace?: string;
    codeBucket?: string;
    capabilities: FunctionCapability[];
    /** The role functions run as; deploying passes it to the function service. */
    executionRoleArn?: string;
  };
  /** Tencent COS APPID; when absent it is read from the bucket's `-<appid>` suffix. */
  tencentAppId?: string;
}

/** File names the install steps and onboarding refer to. */
export const TRUST_POLICY_FILE = 'trust-policy.json';
export const PERMISSION_POLICY_FILE = 'permission-policy.json';

/**
 * The condition value for the External ID: a string for one id, a list for a rotation (each
 * cloud reads a list as "any of"). Zero ids would render a trust policy without the condition,
 * which lets anyone who knows the role ARN use the platform against it (confused deputy).
 */
export function externalIdValue(input: PolicyInput): string | string[] {
  const ids = [...new Set(input.externalIds)];
  if (ids.length === 0) throw new RangeError('A trust policy needs at least one External ID; without one the role is open to the confused deputy.');
  return ids.length === 1 ? (ids[0] as string) : ids;
}

export function hasCapability(input: PolicyInput, capability: FunctionCapability): boolean {
  return input.functions.capabilities.includes(capability);
}

/** The AWS partition of the role: as given, else that of the region. */
export function awsPartition(input: PolicyInput): AwsPartition {
  const partition = input.role.partition ?? awsPartitionOfRegion(input.region);
  if (!partition) throw new RangeError(`"${input.region}" is not a region of a supported AWS partition.`);
  return partition;
}

/**
 * Whether deploying on this cloud needs an execution role to pass: Lambda's CreateFunction
 * requires one; FC 2.0 and SCF functions can be created without.
 */
export function requiresExecutionRole(provider: CloudProvider): boolean {
  return provider === 'aws';
}

/** The Tencent COS APPID: as given, else from the bucket's suffix. */
export function tencentAppId(input: PolicyInput): string | undefined {
  if (input.tencentAppId) return input.tencentAppId;
  const bucket = input.functions.codeBucket;
  if (!bucket) return undefined;
  const parsed = parseCosBucket(bucket);
  return parsed.ok ? parsed.value.appId : undefined;
}

/** The COS bucket as CAM names it, `<name>-<appid>`, appending the APPID when the connection gave the bare name. */
export function tencentBucketWithAppId(bucket: string, appId: string): string {
  return bucket.endsWith(`-${appId}`) ? bucket : `${bucket}-${appId}`;
}

/**
 * What the permission policy had to leave out for lack of input. The renderers never widen a
 * grant to `*` to fill a gap; the caller refuses (or warns) when this is not empty.
 */
export function missingPolicyInputs(input: PolicyInput): string[] {
  const missing: string[] = [];
  if (hasCapability(input, 'deploy') && requiresExecutionRole(input.provider) && !input.functions.executionRoleArn) {
    missing.push('functions.executionRoleArn: deploying Lambda functions passes an execution role, and Tether grants iam:PassRole on that one role only.');
  }
  if (input.provider === 'tencent' && input.functions.codeBucket && !tencentAppId(input)) {
    missing.push('tencentAppId: CAM names a COS bucket with its APPID; give the bucket as <name>-<appid> or set the APPID.');
  }
  return missing;
}

/**
 * The name of the permission policy Tether asks for. Aliyun and Tencent policies are account-wide,
 * so the name carries the role's; Aliyun allows only letters, digits and - (≤128), which IAM and CAM accept too.
 */
export function permissionPolicyName(roleName: string): string {
  return `tether-access-${roleName}`.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, 128);
}
