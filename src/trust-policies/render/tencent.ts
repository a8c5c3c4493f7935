import {
  externalIdValue,
  hasCapability,
  PERMISSION_POLICY_FILE,
  permissionPolicyName,
  type PolicyInput,
  tencentAppId,
  tencentBucketWithAppId,
  TRUST_POLICY_FILE,
} from './policy-input';
import { lastPossibleExpiry, type RevokeDenyPolicy } from './revoke';

/** A Tencent Cloud CAM policy statement (CAM keys are lower-case). */
export interface CamStatement {
  effect: 'allow' | 'deny';
  principal?: { qcs: string[] };
  action: string | string[];
  resource?: string | string[];
  condition?: Record<string, Record<string, string | string[]>>;
}

/** A Tencent Cloud CAM policy document (trust or permission policy). */
export interface CamPolicyDocument {
  version: '2.0';
  statement: CamStatement[];
}

/** The CAM trust policy (the role's "carrier"): the platform account may assume the role only with the External ID. */
export function renderTencentTrustPolicy(input: PolicyInput): CamPolicyDocument {
  return {
    version: '2.0',
    statement: [
      {
        action: 'name/sts:AssumeRole',
        effect: 'allow',
        principal: { qcs: [input.principal] },
        condition: { string_equal: { 'sts:external_id': externalIdValue(input) } },
      },
    ],
  };
}

// CAM names API actions with the name/ prefix (permid/ names feature sets).
const INVOKE_ACTIONS = ['name/scf:GetFunction', 'name/scf:InvokeFunction'];
const DEPLOY_ACTIONS = [
  'name/scf:CreateFunction',
  'name/scf:DeleteFunction',
  'name/scf:GetFunction',
  'name/scf:PublishVersion',
  'name/scf:UpdateFunctionCode',
  'name/scf:UpdateFunctionConfiguration',
];

/**
 * The least-privilege CAM policy: functions of the connection's SCF namespace in its region and
 * account, its COS code bucket, and for deploying, passing the execution role.
 */
export function renderTencentPermissionPolicy(input: PolicyInput): CamPolicyDocument {
  const uin = input.role.accountId;
  const { codeBucket, executionRoleArn } = input.functions;
  const namespace = input.functions.namespace ?? 'default'; // SCF's own default namespace
  const deploy = hasCapability(input, 'deploy');
  const statements: CamStatement[] = [];

  const scfActions = [...new Set([...(hasCapability(input, 'invoke') ? INVOKE_ACTIONS : []), ...(deploy ? DEPLOY_ACTIONS : [])])].sort();
  if (scfActions.length > 0) {
    statements.push({ effect: 'allow', action: scfActions, resource: [`qcs::scf:${input.region}:uin/${uin}:namespace/${namespace}/function/*`] });
    // SCF documents ListFunctions as account-level: CAM accepts only "*" for it. It reveals
    // function names and settings, not code, and grants no call.
    statements.push({ effect: 'allow', action: ['name/scf:ListFunctions'], resource: ['*'] });
  }
  const appId = tencentAppId(input);
  // Without the APPID CAM cannot name the bucket; leave it out rather than grant every bucket (see missingPolicyInputs).
  if (codeBucket && appId) {
    const objectActions = ['name/cos:GetBucket', 'name/cos:GetObject', 'name/cos:HeadBucket', 'name/cos:HeadObject', ...(deploy ? ['name/cos:PutObject'] : [])];
    // COS documents bucket-level actions on <bucket>/* as well.
    statements.push({ effect: 'allow', action: objectActions.sort(), resource: [`qcs::cos:${input.region}:uid/${appId}:${tencentBucketWithAppId(codeBucket, appId)}/*`] });
  }
  if (deploy && executionRoleArn) {
    statements.push({ effect: 'allow', action: ['name/cam:PassRole'], resource: [executionRoleArn] });
  }
  return { version: '2.0', statement: statements };
}

/** TCCLI steps to create (or update) the role with both documents. */
export function renderTencentInstallSteps(input: PolicyInput, roleName: string): string[] {
  const policyName = permissionPolicyName(roleName);
  return [
    `Save the trust policy as ${TRUST_POLICY_FILE} and the permission policy as ${PERMISSION_POLICY_FILE}.`,
    `With TCCLI credentials for account ${input.role.accountId}, create the role: tccli cam CreateRole --RoleName ${roleName} --PolicyDocument "$(cat ${TRUST_POLICY_FILE})"`,
    `If the role already exists, replace its trust policy (its role carrier) instead: tccli cam UpdateAssumeRolePolicy --RoleName ${roleName} --PolicyDocument "$(cat ${TRUST_POLICY_FILE})"`,
    `Create the permission policy: tccli cam CreatePolicy --PolicyName ${policyName} --PolicyDocument "$(cat ${PERMISSION_POLICY_FILE})"`,
    `Attach it to the role: tccli cam AttachRolePolicy --AttachRoleName ${roleName} --PolicyName ${policyName}`,
    'Validate the connection in Tether; it checks that the role can be assumed with the External ID and cannot be assumed without it.',
  ];
}

/** CAM has no documented condition on when an STS token was issued, so older sessions cannot be denied by policy. */
export function renderTencentRevokeDenyPolicy(input: PolicyInput, revokedAt: Date): RevokeDenyPolicy {
  const { roleName } = input.role;
  const policyName = permissionPolicyName(roleName);
  return {
    supported: false,
    statement:
      `Tencent Cloud CAM has no documented condition key for when an STS token was issued, so no policy can deny only the sessions issued before ${revokedAt.toISOString()}. ` +
      'Tether has rotated the External ID, so no new session can be opened with the old one. ' +
      `If existing sessions must stop now, detach the permission policy from role ${roleName} (tccli cam DetachRolePolicy --DetachRoleName ${roleName} --PolicyName ${policyName}), which also stops Tether, ` +
      `and attach it again after ${lastPossibleExpiry(revokedAt).toISOString()}, when every older session has expired (a session lasts at most 12 hours).`,
  };
}
