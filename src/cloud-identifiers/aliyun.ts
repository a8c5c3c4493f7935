import { accepted, type Check, matches, type Parsed, parsed, refused } from './check';

/** A RAM role ARN taken apart. */
export interface AliyunRoleArn {
  provider: 'aliyun';
  /** The account UID (numeric, usually 16 digits). */
  accountId: string;
  roleName: string;
}

const ROLE_ARN_FORM =
  'An Alibaba Cloud role ARN must look like acs:ram::1234567890123456:role/my-role (numeric account UID; role name of 1–64 letters, digits, . or -).';
const ACCOUNT_ID = /^\d+$/;
const ROLE_ARN = /^acs:ram::(\d+):role\/([A-Za-z0-9.-]{1,64})$/;

/** Parses `acs:ram::<uid>:role/<name>`. */
export function parseAliyunRoleArn(arn: string): Parsed<AliyunRoleArn> {
  if (arn.startsWith('arn:')) return refused(`This looks like an AWS ARN; use provider aws, or give a RAM role ARN. ${ROLE_ARN_FORM}`);
  if (arn.startsWith('qcs:')) return refused(`This looks like a Tencent Cloud CAM ARN; use provider tencent, or give a RAM role ARN. ${ROLE_ARN_FORM}`);
  const match = ROLE_ARN.exec(arn);
  if (!match) return refused(ROLE_ARN_FORM);
  return parsed({ provider: 'aliyun', accountId: match[1] as string, roleName: match[2] as string });
}

export function checkAliyunAccountId(accountId: string): Check {
  return matches(accountId, ACCOUNT_ID, 'An Alibaba Cloud account UID is a number such as 1234567890123456.');
}

/** The trust-policy principal for a whole Alibaba Cloud account (`acs:ram::<uid>:root`). */
export function aliyunRootPrincipal(accountId: string): Parsed<string> {
  const check = checkAliyunAccountId(accountId);
  return check.ok ? parsed(`acs:ram::${accountId}:root`) : check;
}

export function checkAliyunRegion(region: string): Check {
  return matches(region, /^[a-z]{2}-[a-z]+(-[a-z0-9]+)*$/, 'An Alibaba Cloud region looks like cn-hangzhou, cn-shanghai, ap-southeast-1 or cn-hangzhou-finance.');
}

// FC 2.0: service and function names share one rule.
const FC_NAME = /^[a-zA-Z_][a-zA-Z0-9_-]{0,127}$/;

export function checkFcFunctionName(name: string): Check {
  return matches(name, FC_NAME, 'A Function Compute function name is 1–128 letters, digits, _ or -, starting with a letter or _.');
}

/** The connection's namespace is the FC 2.0 service; unset means every service in the region. */
export function checkFcServiceName(service: string | undefined): Check {
  if (service === undefined) return accepted;
  return matches(service, FC_NAME, 'A Function Compute service name (the connection namespace) is 1–128 letters, digits, _ or -, starting with a letter or _.');
}

export function checkFcQualifier(qualifier: string): Check {
  if (qualifier === 'LATEST' || /^\d+$/.test(qualifier)) return accepted;
  return matches(qualifier, FC_NAME, 'A Function Compute qualifier is LATEST, a version number, or an alias of 1–128 letters, digits, _ or -, starting with a letter or _.');
}

export function checkOssBucketName(bucket: string): Check {
  return matches(bucket, /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'An OSS bucket name is 3–63 lowercase letters, digits or hyphens, starting and ending with a letter or digit.');
}
