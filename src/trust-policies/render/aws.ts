import { awsPartition, externalIdValue, hasCapability, PERMISSION_POLICY_FILE, permissionPolicyName, type PolicyInput, TRUST_POLICY_FILE } from './policy-input';
import type { RevokeDenyPolicy } from './revoke';

/** An AWS IAM policy statement. */
export interface IamStatement {
  Effect: 'Allow' | 'Deny';
  Principal?: { AWS: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** An AWS IAM policy document (trust or identity policy). */
export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

/** The prefix of the session tags Tether sets for provenance (tether:workspace, tether:connection, tether:token…). */
export const TETHER_TAG_PATTERN = 'tether:*';

/**
 * The IAM trust policy: the platform principal may assume the role only with the External ID, and
 * (second statement) may tag its sessions only with `tether:` keys, so the customer's CloudTrail
 * shows which workspace, connection and token acted. The key condition keeps Tether from setting
 * tags a customer's attribute-based policies might grant on (aws:PrincipalTag/department…).
 */
export function renderAwsTrustPolicy(input: PolicyInput): IamPolicyDocument {
  const externalId = { 'sts:ExternalId': externalIdValue(input) };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: input.principal },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { ...externalId } },
      },
      {
        Effect: 'Allow',
        Principal: { AWS: input.principal },
        Action: 'sts:TagSession',
        Condition: { StringEquals: { ...externalId }, 'ForAllValues:StringLike': { 'aws:TagKeys': TETHER_TAG_PATTERN } },
      },
    ],
  };
}

const INVOKE_ACTIONS = ['lambda:GetFunction', 'lambda:InvokeFunction'];
const DEPLOY_ACTIONS = [
  'lambda:CreateFunction',
  'lambda:DeleteFunction',
  'lambda:GetFunction',
  'lambda:GetFunctionConfiguration',
  'lambda:PublishVersion',
  'lambda:UpdateFunctionCode',
  'lambda:UpdateFunctionConfiguration',
];

/**
 * The least-privilege IAM policy for what the connection is for: functions of its own account and
 * region, its code bucket, and for deploying, passing exactly its execution role to Lambda.
 */
export function renderAwsPermissionPolicy(input: PolicyInput): IamPolicyDocument {
  const partition = awsPartition(input);
  const { accountId } = input.role;
  const { codeBucket, executionRoleArn } = input.functions;
  const invoke = hasCapability(input, 'invoke');
  const deploy = hasCapability(input, 'deploy');
  const statements: IamStatement[] = [];

  const functionActions = [...new Set([...(invoke ? INVOKE_ACTIONS : []), ...(deploy ? DEPLOY_ACTIONS : [])])].sort();
  if (functionActions.length > 0) {
    // `function:*` also covers qualified ARNs (function:name:alias), which invoking a version needs.
    statements.push({ Effect: 'Allow', Action: functionActions, Resource: `arn:${partition}:lambda:${input.region}:${accountId}:function:*` });
    // ListFunctions has no resource-level permissions (IAM only accepts "*"); the region
    // condition keeps the listing to the connection's region, and a role can only ever list its own account.
    statements.push({ Effect: 'Allow', Action: ['lambda:ListFunctions'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': input.region } } });
  }
  if (codeBucket) {
    // HeadBucket and ListObjectsV2 need s3:ListBucket on the bucket; GetObject is on its objects.
    statements.push({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: `arn:${partition}:s3:::${codeBucket}` });
    statements.push({ Effect: 'Allow', Action: deploy ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject'], Resource: `arn:${partition}:s3:::${codeBucket}/*` });
  }
  if (deploy && executionRoleArn) {
    // Without the service condition the role could be handed to any service that takes one.
    // In aws-cn some service principals end in .amazonaws.com.cn; accepting both keeps the grant to Lambda.
    const lambdaService = partition === 'aws-cn' ? ['lambda.amazonaws.com', 'lambda.amazonaws.com.cn'] : 'lambda.amazonaws.com';
    statements.push({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: executionRoleArn, Condition: { StringEquals: { 'iam:PassedToService': lambdaService } } });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** CLI steps to create (or update) the role with both documents. */
export function renderAwsInstallSteps(input: PolicyInput, roleName: string): string[] {
  const partition = awsPartition(input);
  return [
    `Save the trust policy as ${TRUST_POLICY_FILE} and the permission policy as ${PERMISSION_POLICY_FILE}.`,
    `With AWS CLI credentials for account ${input.role.accountId} (partition ${partition}), create the role: aws iam create-role --role-name ${roleName} --assume-role-policy-document file://${TRUST_POLICY_FILE}`,
    `If the role already exists, replace its trust policy instead: aws iam update-assume-role-policy --role-name ${roleName} --policy-document file://${TRUST_POLICY_FILE}`,
    `Attach the permission policy: aws iam put-role-policy --role-name ${roleName} --policy-name ${permissionPolicyName(roleName)} --policy-document file://${PERMISSION_POLICY_FILE}`,
    'Validate the connection in Tether; it checks that the role can be assumed with the External ID and cannot be assumed without it.',
  ];
}

/**
 * AWS's documented way to revoke a role's active sessions: deny everything to sessions whose
 * token was issued before the cut-off. Sessions issued afterwards (with the new External ID) work.
 */
export function renderAwsRevokeDenyPolicy(input: PolicyInput, revokedAt: Date): RevokeDenyPolicy {
  const issuedBefore = revokedAt.toISOString();
  return {
    supported: true,
    policy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } } }],
    },
    statement: `Add this policy to role ${input.role.roleName} as an inline policy (aws iam put-role-policy --role-name ${input.role.roleName} --policy-name tether-revoke-older-sessions --policy-document file://revoke-policy.json): it denies every action to sessions issued before ${issuedBefore}, while sessions issued later with the new External ID keep working.`,
  };
}
