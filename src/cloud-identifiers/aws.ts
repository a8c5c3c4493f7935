import { accepted, type Check, matches, type Parsed, parsed, refused } from './check';

/**
 * The AWS partitions Tether supports. Partitions are separate clouds: a principal of one is
 * unknown to the others, so every AWS ARN and region belongs to exactly one.
 */
export type AwsPartition = 'aws' | 'aws-cn' | 'aws-us-gov';

export const AWS_PARTITIONS: readonly AwsPartition[] = ['aws', 'aws-cn', 'aws-us-gov'];

/** An IAM role ARN taken apart. */
export interface AwsRoleArn {
  provider: 'aws';
  partition: AwsPartition;
  /** 12-digit account id. */
  accountId: string;
  roleName: string;
  /** The IAM path (`/service-role/`), only when it is not the default `/`. */
  path?: string;
}

/** The platform principals from `TETHER_AWS_PRINCIPAL_ARN`, at most one per partition. */
export type AwsPrincipals = Readonly<Partial<Record<AwsPartition, string>>>;

const ROLE_ARN_FORM =
  'An AWS role ARN must look like arn:aws:iam::123456789012:role/MyRole (partition aws, aws-cn or aws-us-gov; 12-digit account; optional path as in role/service-role/MyRole).';
const ACCOUNT_ID = /^\d{12}$/;
// IAM: role names are 1–64 of [\w+=,.@-]; paths are printable ASCII, at most 512 characters.
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_PATH = /^\/(?:[\x21-\x7E]*\/)?$/;
const MAX_ROLE_PATH_LENGTH = 512;
// STS AssumeRole: RoleArn is 20–2048 characters.
const MIN_ARN_LENGTH = 20;
const MAX_ARN_LENGTH = 2048;
const ARN_PARTS = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/;

function isAwsPartition(value: string): value is AwsPartition {
  return (AWS_PARTITIONS as readonly string[]).includes(value);
}

/** Parses `arn:<partition>:iam::<account>:role[/<path>]/<name>`. */
export function parseAwsRoleArn(arn: string): Parsed<AwsRoleArn> {
  if (arn.startsWith('acs:')) return refused(`This looks like an Alibaba Cloud RAM ARN; use provider aliyun, or give an AWS role ARN. ${ROLE_ARN_FORM}`);
  if (arn.startsWith('qcs:')) return refused(`This looks like a Tencent Cloud CAM ARN; use provider tencent, or give an AWS role ARN. ${ROLE_ARN_FORM}`);
  if (arn.length < MIN_ARN_LENGTH || arn.length > MAX_ARN_LENGTH) return refused(`A role ARN is 20–2048 characters. ${ROLE_ARN_FORM}`);
  const parts = ARN_PARTS.exec(arn);
  if (!parts) return refused(ROLE_ARN_FORM);
  const [, partition, service, region, accountId, resource] = parts as unknown as [string, string, string, string, string, string];
  if (!isAwsPartition(partition)) return refused(`Partition "${partition}" is not supported. ${ROLE_ARN_FORM}`);
  if (service === 'sts' && resource.startsWith('assumed-role/')) {
    return refused(`This is the ARN of an assumed-role session, not of a role; give the role's own ARN, arn:${partition}:iam::<account>:role/<name>.`);
  }
  if (service !== 'iam' || region !== '') return refused(`A role ARN names the iam service and no region (arn:${partition}:iam::…). ${ROLE_ARN_FORM}`);
  if (!ACCOUNT_ID.test(accountId)) return refused(`The account in a role ARN is exactly 12 digits. ${ROLE_ARN_FORM}`);
  if (!resource.startsWith('role/')) {
    return refused(`Tether assumes IAM roles; this ARN names ${resource.split('/')[0] || 'no resource'}, not role/<name>. ${ROLE_ARN_FORM}`);
  }
  const rest = resource.slice('role'.length); // "/path/.../Name"
  const lastSlash = rest.lastIndexOf('/');
  const roleName = rest.slice(lastSlash + 1);
  const path = rest.slice(0, lastSlash + 1);
  if (!ROLE_NAME.test(roleName)) return refused(`An IAM role name is 1–64 letters, digits or + = , . @ _ -. ${ROLE_ARN_FORM}`);
  if (path.length > MAX_ROLE_PATH_LENGTH || !ROLE_PATH.test(path)) {
    return refused(`An IAM role path starts and ends with / and has at most 512 printable ASCII characters. ${ROLE_ARN_FORM}`);
  }
  return parsed({ provider: 'aws', partition, accountId, roleName, ...(path === '/' ? {} : { path }) });
}

// ISO partitions (us-iso-east-1, …) match AWS's general region form but are not supported.
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d+$/;
const REGION_RULE = 'An AWS region looks like us-east-1, eu-west-3, cn-north-1 or us-gov-west-1 (partitions aws, aws-cn and aws-us-gov).';

export function checkAwsRegion(region: string): Check {
  return matches(region, REGION, REGION_RULE);
}

/** The partition a region belongs to, or undefined when the region is not a supported AWS region. */
export function awsPartitionOfRegion(region: string): AwsPartition | undefined {
  if (!REGION.test(region)) return undefined;
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** A role is only reachable from the partition it lives in, so the role and the region must agree. */
export function checkAwsPartitionMatchesRegion(rolePartition: AwsPartition, region: string): Check {
  const regionPartition = awsPartitionOfRegion(region);
  if (!regionPartition) return refused(REGION_RULE);
  if (regionPartition === rolePartition) return accepted;
  return refused(
    `The role ARN is in partition ${rolePartition} but region ${region} is in partition ${regionPartition}; AWS partitions do not trust each other, so use a role ARN beginning arn:${regionPartition}: or a region of partition ${rolePartition}.`,
  );
}

export function checkLambdaFunctionName(name: string): Check {
  if (name.startsWith('arn:')) return refused('Give the Lambda function name, not its ARN: 1–64 letters, digits, - or _.');
  return matches(name, /^[a-zA-Z0-9_-]{1,64}$/, 'A Lambda function name is 1–64 letters, digits, - or _.');
}

/** Lambda has no namespaces; Singdata-style connections pass `default` or nothing. */
export function checkLambdaNamespace(namespace: string | undefined): Check {
  if (namespace === undefined || namespace === '' || namespace === 'default') return accepted;
  return refused('AWS Lambda has no namespaces: leave the namespace unset or set it to "default".');
}

export function checkLambdaQualifier(qualifier: string): Check {
  // $LATEST, a version number, or an alias of 1–128 characters.
  return matches(qualifier, /^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/, 'A Lambda qualifier is $LATEST, a version number, or an alias of 1–128 letters, digits, - or _.');
}

const S3_BUCKET_RULE =
  'An S3 bucket name is 3–63 lowercase letters, digits, dots or hyphens, starts and ends with a letter or digit, has no "..", is not an IP address, and does not start with xn--, sthree- or amzn-s3-demo- nor end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3.';
const S3_RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const S3_RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function checkS3BucketName(bucket: string): Check {
  const wellFormed =
    bucket.length >= 3 &&
    bucket.length <= 63 &&
    /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket) &&
    !bucket.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(bucket) &&
    !S3_RESERVED_PREFIXES.some((prefix) => bucket.startsWith(prefix)) &&
    !S3_RESERVED_SUFFIXES.some((suffix) => bucket.endsWith(suffix));
  return wellFormed ? accepted : refused(S3_BUCKET_RULE);
}

// A trust policy's AWS principal is an account root, a role or a user of one partition.
const PRINCIPAL_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:(root|role\/(?:[\x21-\x7E]*\/)?[\w+=,.@-]{1,64}|user\/(?:[\x21-\x7E]*\/)?[\w+=,.@-]{1,64})$/;

/**
 * Reads `TETHER_AWS_PRINCIPAL_ARN`: comma-separated ARNs, at most one per partition, because a
 * principal of one partition cannot be trusted by a role of another. Messages name entries by
 * position, never by value.
 */
export function parseAwsPrincipalArns(value: string): Parsed<AwsPrincipals> {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) {
    return refused('TETHER_AWS_PRINCIPAL_ARN is empty; set one platform ARN per AWS partition, such as arn:aws:iam::123456789012:role/tether-broker.');
  }
  const principals: Partial<Record<AwsPartition, string>> = {};
  const positionOf: Partial<Record<AwsPartition, number>> = {};
  for (const [index, entry] of entries.entries()) {
    const match = PRINCIPAL_ARN.exec(entry);
    if (!match) {
      return refused(
        `Entry ${index + 1} of TETHER_AWS_PRINCIPAL_ARN is not an IAM principal ARN; each entry must look like arn:aws:iam::123456789012:role/tether-broker (or :user/<name>, or :root), in partition aws, aws-cn or aws-us-gov.`,
      );
    }
    const partition = match[1] as AwsPartition;
    const earlier = positionOf[partition];
    if (earlier !== undefined) {
      return refused(`Entries ${earlier} and ${index + 1} of TETHER_AWS_PRINCIPAL_ARN are both in partition ${partition}; give exactly one principal per partition.`);
    }
    positionOf[partition] = index + 1;
    principals[partition] = entry;
  }
  return parsed(Object.freeze(principals));
}

/** The platform principal for one partition, or a sentence saying which configuration is missing. */
export function awsPrincipalForPartition(principals: AwsPrincipals, partition: AwsPartition): Parsed<string> {
  const principal = principals[partition];
  if (principal) return parsed(principal);
  return refused(
    `Tether has no platform principal for AWS partition ${partition}: the operator must add an arn:${partition}:iam::… entry to TETHER_AWS_PRINCIPAL_ARN before connections in that partition can be created.`,
  );
}
