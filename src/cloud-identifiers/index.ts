import { parseAliyunRoleArn, checkAliyunRegion, checkFcFunctionName, checkFcQualifier, checkFcServiceName, checkOssBucketName } from './aliyun';
import { parseAwsRoleArn, checkAwsRegion, checkLambdaFunctionName, checkLambdaNamespace, checkLambdaQualifier, checkS3BucketName, type AwsPartition } from './aws';
import type { Check, Parsed } from './check';
import type { CloudProvider } from './cloud-provider';
import { parseTencentRoleArn, checkCosBucketName, checkScfFunctionName, checkScfNamespace, checkScfQualifier, checkTencentRegion } from './tencent';

export * from './cloud-provider';
export * from './check';
export * from './aws';
export * from './aliyun';
export * from './tencent';
export * from './session-name';

/** A role in a customer's account, whatever its cloud. */
export interface RoleRef {
  provider: CloudProvider;
  /** AWS only. */
  partition?: AwsPartition;
  /** AWS account id, Alibaba Cloud UID or Tencent Cloud owner uin. */
  accountId: string;
  /** The role name (for Tencent `role/<roleId>` ARNs, the role id). */
  roleName: string;
  /** AWS only, when not `/`. */
  path?: string;
  /** Tencent `role/<roleId>` ARNs only. */
  roleId?: string;
}

/** Parses a role ARN in the given cloud's own form. */
export function parseRoleArn(provider: CloudProvider, arn: string): Parsed<RoleRef> {
  switch (provider) {
    case 'aws':
      return parseAwsRoleArn(arn);
    case 'aliyun':
      return parseAliyunRoleArn(arn);
    case 'tencent':
      return parseTencentRoleArn(arn);
  }
}

interface IdentifierRules {
  region(region: string): Check;
  functionName(name: string): Check;
  namespace(namespace: string | undefined): Check;
  qualifier(qualifier: string): Check;
  bucketName(bucket: string): Check;
}

const RULES: Record<CloudProvider, IdentifierRules> = {
  aws: { region: checkAwsRegion, functionName: checkLambdaFunctionName, namespace: checkLambdaNamespace, qualifier: checkLambdaQualifier, bucketName: checkS3BucketName },
  aliyun: { region: checkAliyunRegion, functionName: checkFcFunctionName, namespace: checkFcServiceName, qualifier: checkFcQualifier, bucketName: checkOssBucketName },
  tencent: { region: checkTencentRegion, functionName: checkScfFunctionName, namespace: checkScfNamespace, qualifier: checkScfQualifier, bucketName: checkCosBucketName },
};

export function checkRegion(provider: CloudProvider, region: string): Check {
  return RULES[provider].region(region);
}

export function isValidRegion(provider: CloudProvider, region: string): boolean {
  return checkRegion(provider, region).ok;
}

/** Lambda function, FC function or SCF function name. */
export function checkFunctionName(provider: CloudProvider, name: string): Check {
  return RULES[provider].functionName(name);
}

/** The connection namespace: none on AWS, the FC service on Aliyun, the SCF namespace on Tencent. Unset is always accepted. */
export function checkNamespace(provider: CloudProvider, namespace: string | undefined): Check {
  return RULES[provider].namespace(namespace);
}

export function checkQualifier(provider: CloudProvider, qualifier: string): Check {
  return RULES[provider].qualifier(qualifier);
}

/** S3, OSS or COS (`<name>-<appid>`) bucket name. */
export function checkBucketName(provider: CloudProvider, bucket: string): Check {
  return RULES[provider].bucketName(bucket);
}
