import { externalIdValue, hasCapability, PERMISSION_POLICY_FILE, permissionPolicyName, type PolicyInput, TRUST_POLICY_FILE } from './policy-input';
import { lastPossibleExpiry, type RevokeDenyPolicy } from './revoke';

/** An Alibaba Cloud RAM policy statement. */
export interface RamStatement {
  Effect: 'Allow' | 'Deny';
  Principal?: { RAM: string[] };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** An Alibaba Cloud RAM policy document (trust or permission policy). */
export interface RamPolicyDocument {
  Version: '1';
  Statement: RamStatement[];
}

/** The RAM trust policy: the platform account may assume the role only with the External ID. */
export function renderAliyunTrustPolicy(input: PolicyInput): RamPolicyDocument {
  return {
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { RAM: [input.principal] },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalIdValue(input) } },
      },
    ],
  };
}

const INVOKE_ACTIONS = ['fc:GetFunction', 'fc:GetService', 'fc:InvokeFunction', 'fc:ListFunctions'];
// fc:CreateService: the first deploy creates the connection's service (its namespace) when it is
// missing; the resources below confine it to that one service name.
const DEPLOY_ACTIONS = ['fc:CreateFunction', 'fc:CreateService', 'fc:DeleteFunction', 'fc:GetFunction', 'fc:GetService', 'fc:ListFunctions', 'fc:PublishServiceVersion', 'fc:UpdateFunction'];

/**
 * The least-privilege RAM policy: the connection's FC 2.0 service (its namespace) and that
 * service's functions in its region and account, its OSS code bucket, and for deploying, passing
 * the execution role to Function Compute only.
 */
export function renderAliyunPermissionPolicy(input: PolicyInput): RamPolicyDocument {
  const { accountId } = input.role;
  const { namespace, codeBucket, executionRoleArn } = input.functions;
  const deploy = hasCapability(input, 'deploy');
  const statements: RamStatement[] = [];

  const fcActions = [...new Set([...(hasCapability(input, 'invoke') ? INVOKE_ACTIONS : []), ...(deploy ? DEPLOY_ACTIONS : [])])].sort();
  if (fcActions.length > 0) {
    // No namespace: every service of the account in this region, still never another region or account.
    const service = namespace ?? '*';
    const serviceArn = `acs:fc:${input.region}:${accountId}:services/${service}`;
    const resources = [serviceArn, `${serviceArn}/functions/*`];
    // Invoking a version or alias names the service as <service>.<qualifier> (unconfirmed in our reference);
    // service names cannot contain ".", so this only matches qualifiers of the same service.
    if (namespace) resources.push(`acs:fc:${input.region}:${accountId}:services/${namespace}.*/functions/*`);
    statements.push({ Effect: 'Allow', Action: fcActions, Resource: resources });
  }
  if (codeBucket) {
    statements.push({ Effect: 'Allow', Action: ['oss:ListObjects'], Resource: `acs:oss:*:${accountId}:${codeBucket}` });
    statements.push({ Effect: 'Allow', Action: deploy ? ['oss:GetObject', 'oss:PutObject'] : ['oss:GetObject'], Resource: `acs:oss:*:${accountId}:${codeBucket}/*` });
  }
  if (deploy && executionRoleArn) {
    // The service condition keeps the role from being handed to anything but Function Compute.
    statements.push({ Effect: 'Allow', Action: ['ram:PassRole'], Resource: executionRoleArn, Condition: { StringEquals: { 'acs:Service': 'fc.aliyuncs.com' } } });
  }
  return { Version: '1', Statement: statements };
}

/** Aliyun CLI steps to create (or update) the role with both documents. */
export function renderAliyunInstallSteps(input: PolicyInput, roleName: string): string[] {
  const policyName = permissionPolicyName(roleName);
  return [
    `Save the trust policy as ${TRUST_POLICY_FILE} and the permission policy as ${PERMISSION_POLICY_FILE}.`,
    `With Aliyun CLI credentials for account ${input.role.accountId}, create the role: aliyun ram CreateRole --RoleName ${roleName} --AssumeRolePolicyDocument "$(cat ${TRUST_POLICY_FILE})"`,
    `If the role already exists, replace its trust policy instead: aliyun ram UpdateRole --RoleName ${roleName} --NewAssumeRolePolicyDocument "$(cat ${TRUST_POLICY_FILE})"`,
    `Create the permission policy: aliyun ram CreatePolicy --PolicyName ${policyName} --PolicyDocument "$(cat ${PERMISSION_POLICY_FILE})"`,
    `Attach it to the role: aliyun ram AttachPolicyToRole --PolicyType Custom --PolicyName ${policyName} --RoleName ${roleName}`,
    'Validate the connection in Tether; it checks that the role can be assumed with the External ID and cannot be assumed without it.',
  ];
}

/** RAM has no condition on when an STS token was issued, so older sessions cannot be denied by policy. */
export function renderAliyunRevokeDenyPolicy(input: PolicyInput, revokedAt: Date): RevokeDenyPolicy {
  const { roleName } = input.role;
  const policyName = permissionPolicyName(roleName);
  return {
    supported: false,
    statement:
      `Alibaba Cloud RAM has no condition key for when an STS token was issued, so no policy can deny only the sessions issued before ${revokedAt.toISOString()}. ` +
      'Tether has rotated the External ID, so no new session can be opened with the old one. ' +
      `If existing sessions must stop now, detach the permission policy from role ${roleName} (aliyun ram DetachPolicyFromRole --PolicyType Custom --PolicyName ${policyName} --RoleName ${roleName}), which also stops Tether, ` +
      `and attach it again after ${lastPossibleExpiry(revokedAt).toISOString()}, when every older session has expired (a session lasts at most 12 hours).`,
  };
}
