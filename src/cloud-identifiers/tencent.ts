import { accepted, type Check, matches, type Parsed, parsed, refused } from './check';

/** A CAM role ARN taken apart. */
export interface TencentRoleArn {
  provider: 'tencent';
  /** The owner account's uin. */
  accountId: string;
  /** The role name; for a `role/<roleId>` ARN, which carries no name, the role id. */
  roleName: string;
  /** Set only for a `role/<roleId>` ARN. */
  roleId?: string;
}

/** A COS bucket name split into the customer's part and the APPID suffix COS requires. */
export interface CosBucket {
  name: string;
  appId: string;
}

const ROLE_ARN_FORM =
  'A Tencent Cloud role ARN must look like qcs::cam::uin/100000000001:roleName/MyRole (or …:role/<numeric role id>), with the owner account uin.';
const UIN = /^\d+$/;
const ROLE_ARN = /^qcs::cam::uin\/(\d+):(?:roleName\/([\w+=,.@-]{1,128})|role\/(\d+))$/;

/** Parses `qcs::cam::uin/<uin>:roleName/<name>` and `qcs::cam::uin/<uin>:role/<roleId>`. */
export function parseTencentRoleArn(arn: string): Parsed<TencentRoleArn> {
  if (arn.startsWith('arn:')) return refused(`This looks like an AWS ARN; use provider aws, or give a CAM role ARN. ${ROLE_ARN_FORM}`);
  if (arn.startsWith('acs:')) return refused(`This looks like an Alibaba Cloud RAM ARN; use provider aliyun, or give a CAM role ARN. ${ROLE_ARN_FORM}`);
  // Service roles (role/tencentcloudServiceRole…) can only be assumed by Tencent Cloud services.
  if (/:role\/tencentcloudServiceRole/.test(arn)) return refused(`This is a service role, which only Tencent Cloud services can assume; create a role that trusts the platform account. ${ROLE_ARN_FORM}`);
  const match = ROLE_ARN.exec(arn);
  if (!match) return refused(ROLE_ARN_FORM);
  const [, accountId, roleName, roleId] = match as unknown as [string, string, string | undefined, string | undefined];
  if (roleId !== undefined) return parsed({ provider: 'tencent', accountId, roleName: roleId, roleId });
  return parsed({ provider: 'tencent', accountId, roleName: roleName as string });
}

export function checkTencentUin(uin: string): Check {
  return matches(uin, UIN, 'A Tencent Cloud account uin is a number such as 100000000001.');
}

/** The trust-policy principal for a whole Tencent Cloud account (`qcs::cam::uin/<uin>:root`). */
export function tencentRootPrincipal(uin: string): Parsed<string> {
  const check = checkTencentUin(uin);
  return check.ok ? parsed(`qcs::cam::uin/${uin}:root`) : check;
}

export function checkTencentRegion(region: string): Check {
  return matches(region, /^(ap|na|eu|sa)-[a-z]+(-fsi)?$/, 'A Tencent Cloud region looks like ap-guangzhou, ap-shanghai, na-siliconvalley, eu-frankfurt or ap-shanghai-fsi.');
}

// SCF names: 2–60 characters, a letter first, no - or _ last (the reference marks this unconfirmed).
const SCF_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$/;

export function checkScfFunctionName(name: string): Check {
  return matches(name, SCF_NAME, 'An SCF function name is 2–60 letters, digits, _ or -, starting with a letter and ending with a letter or digit.');
}

/** SCF namespaces default to `default`; their rules are undocumented in our reference, so they get the function-name rule. */
export function checkScfNamespace(namespace: string | undefined): Check {
  if (namespace === undefined) return accepted;
  return matches(namespace, SCF_NAME, 'An SCF namespace is 2–60 letters, digits, _ or -, starting with a letter and ending with a letter or digit (the default is "default").');
}

export function checkScfQualifier(qualifier: string): Check {
  // Alias rules are undocumented in our reference: accept 1–64 letters, digits, _ or -, starting with a letter.
  return matches(
    qualifier,
    /^(\$LATEST|\$DEFAULT|\d+|[A-Za-z][A-Za-z0-9_-]{0,63})$/,
    'An SCF qualifier is $LATEST, $DEFAULT, a version number, or an alias of letters, digits, _ or -, starting with a letter.',
  );
}

const COS_BUCKET_RULE =
  'A COS bucket is written <name>-<APPID>, as in udf-code-1250000000: a name of 1–50 lowercase letters, digits or hyphens, not starting or ending with a hyphen, then the numeric APPID.';
const COS_BUCKET = /^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)-(\d+)$/;

/** Splits `<name>-<appid>`; COS resource names in CAM need the APPID. */
export function parseCosBucket(bucket: string): Parsed<CosBucket> {
  const match = COS_BUCKET.exec(bucket);
  // Name limit: 50 characters before the APPID (the reference marks the COS limits unconfirmed).
  if (!match || (match[1] as string).length > 50) return refused(COS_BUCKET_RULE);
  return parsed({ name: match[1] as string, appId: match[2] as string });
}

export function checkCosBucketName(bucket: string): Check {
  const result = parseCosBucket(bucket);
  return result.ok ? accepted : result;
}
