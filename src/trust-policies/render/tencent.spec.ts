import { describe, expect, it } from 'vitest';
import { missingPolicyInputs, type PolicyInput } from './policy-input';
import { renderTencentInstallSteps, renderTencentPermissionPolicy, renderTencentRevokeDenyPolicy, renderTencentTrustPolicy } from './tencent';

const ID_A = 'tether-0123456789abcdefghjkmnpqrstvwx';
const ID_B = 'tether-zyxwvtsrqpnmkjhgfedcba987654321';

function tencentInput(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    provider: 'tencent',
    region: 'ap-shanghai',
    role: { accountId: '100012345678', roleName: 'LakehouseRole' },
    principal: 'qcs::cam::uin/100029595716:root',
    externalIds: [ID_A],
    functions: { namespace: 'default', capabilities: ['invoke'] },
    ...overrides,
  };
}

describe('renderTencentTrustPolicy', () => {
  it('is a CAM document with lower-case keys and the external_id condition', () => {
    expect(renderTencentTrustPolicy(tencentInput())).toEqual({
      version: '2.0',
      statement: [
        {
          action: 'name/sts:AssumeRole',
          effect: 'allow',
          principal: { qcs: ['qcs::cam::uin/100029595716:root'] },
          condition: { string_equal: { 'sts:external_id': ID_A } },
        },
      ],
    });
  });

  it('accepts both ids during a rotation', () => {
    expect(renderTencentTrustPolicy(tencentInput({ externalIds: [ID_A, ID_B] })).statement[0]?.condition).toEqual({ string_equal: { 'sts:external_id': [ID_A, ID_B] } });
  });
});

describe('renderTencentPermissionPolicy', () => {
  it('invoke without a code bucket, defaulting the namespace to default', () => {
    const input = tencentInput({ functions: { capabilities: ['invoke'] } });
    expect(renderTencentPermissionPolicy(input)).toEqual({
      version: '2.0',
      statement: [
        { effect: 'allow', action: ['name/scf:GetFunction', 'name/scf:InvokeFunction'], resource: ['qcs::scf:ap-shanghai:uin/100012345678:namespace/default/function/*'] },
        { effect: 'allow', action: ['name/scf:ListFunctions'], resource: ['*'] },
      ],
    });
  });

  it('invoke with a code bucket whose name carries the APPID', () => {
    const input = tencentInput({ functions: { namespace: 'udf', codeBucket: 'myfunction-1310000000', capabilities: ['invoke'] } });
    expect(renderTencentPermissionPolicy(input)).toEqual({
      version: '2.0',
      statement: [
        { effect: 'allow', action: ['name/scf:GetFunction', 'name/scf:InvokeFunction'], resource: ['qcs::scf:ap-shanghai:uin/100012345678:namespace/udf/function/*'] },
        { effect: 'allow', action: ['name/scf:ListFunctions'], resource: ['*'] },
        {
          effect: 'allow',
          action: ['name/cos:GetBucket', 'name/cos:GetObject', 'name/cos:HeadBucket', 'name/cos:HeadObject'],
          resource: ['qcs::cos:ap-shanghai:uid/1310000000:myfunction-1310000000/*'],
        },
      ],
    });
  });

  it('invoke and deploy with a bare bucket name, an explicit APPID and an execution role', () => {
    const input = tencentInput({
      region: 'ap-guangzhou',
      tencentAppId: '1250000000',
      functions: { namespace: 'default', codeBucket: 'udfcode', capabilities: ['invoke', 'deploy'], executionRoleArn: 'qcs::cam::uin/100012345678:roleName/SCF_Exec' },
    });
    expect(renderTencentPermissionPolicy(input)).toEqual({
      version: '2.0',
      statement: [
        {
          effect: 'allow',
          action: [
            'name/scf:CreateFunction',
            'name/scf:DeleteFunction',
            'name/scf:GetFunction',
            'name/scf:InvokeFunction',
            'name/scf:PublishVersion',
            'name/scf:UpdateFunctionCode',
            'name/scf:UpdateFunctionConfiguration',
          ],
          resource: ['qcs::scf:ap-guangzhou:uin/100012345678:namespace/default/function/*'],
        },
        { effect: 'allow', action: ['name/scf:ListFunctions'], resource: ['*'] },
        {
          effect: 'allow',
          action: ['name/cos:GetBucket', 'name/cos:GetObject', 'name/cos:HeadBucket', 'name/cos:HeadObject', 'name/cos:PutObject'],
          resource: ['qcs::cos:ap-guangzhou:uid/1250000000:udfcode-1250000000/*'],
        },
        { effect: 'allow', action: ['name/cam:PassRole'], resource: ['qcs::cam::uin/100012345678:roleName/SCF_Exec'] },
      ],
    });
    expect(missingPolicyInputs(input)).toEqual([]);
  });

  it('leaves the bucket out rather than widening it when no APPID is known, and says so', () => {
    const input = tencentInput({ functions: { codeBucket: 'udfcode', capabilities: ['invoke'] } });
    expect(renderTencentPermissionPolicy(input).statement.flatMap((statement) => statement.action)).toEqual(['name/scf:GetFunction', 'name/scf:InvokeFunction', 'name/scf:ListFunctions']);
    expect(missingPolicyInputs(input)).toEqual(['tencentAppId: CAM names a COS bucket with its APPID; give the bucket as <name>-<appid> or set the APPID.']);
  });
});

describe('renderTencentInstallSteps', () => {
  it('names the tccli cam commands and the files', () => {
    expect(renderTencentInstallSteps(tencentInput(), 'LakehouseRole')).toEqual([
      'Save the trust policy as trust-policy.json and the permission policy as permission-policy.json.',
      'With TCCLI credentials for account 100012345678, create the role: tccli cam CreateRole --RoleName LakehouseRole --PolicyDocument "$(cat trust-policy.json)"',
      'If the role already exists, replace its trust policy (its role carrier) instead: tccli cam UpdateAssumeRolePolicy --RoleName LakehouseRole --PolicyDocument "$(cat trust-policy.json)"',
      'Create the permission policy: tccli cam CreatePolicy --PolicyName tether-access-LakehouseRole --PolicyDocument "$(cat permission-policy.json)"',
      'Attach it to the role: tccli cam AttachRolePolicy --AttachRoleName LakehouseRole --PolicyName tether-access-LakehouseRole',
      'Validate the connection in Tether; it checks that the role can be assumed with the External ID and cannot be assumed without it.',
    ]);
  });
});

describe('renderTencentRevokeDenyPolicy', () => {
  it('does not invent a condition key', () => {
    const result = renderTencentRevokeDenyPolicy(tencentInput(), new Date('2030-06-30T20:00:00.000Z'));
    expect(result.supported).toBe(false);
    expect(result.policy).toBeUndefined();
    expect(result.statement).toContain('tccli cam DetachRolePolicy --DetachRoleName LakehouseRole --PolicyName tether-access-LakehouseRole');
    expect(result.statement).toContain('attach it again after 2030-07-01T08:00:00.000Z');
  });
});
