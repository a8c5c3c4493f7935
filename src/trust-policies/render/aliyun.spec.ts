import { describe, expect, it } from 'vitest';
import { renderAliyunInstallSteps, renderAliyunPermissionPolicy, renderAliyunRevokeDenyPolicy, renderAliyunTrustPolicy } from './aliyun';
import { missingPolicyInputs, type PolicyInput } from './policy-input';

const ID_A = 'tether-0123456789abcdefghjkmnpqrstvwx';
const ID_B = 'tether-zyxwvtsrqpnmkjhgfedcba987654321';

function aliyunInput(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    provider: 'aliyun',
    region: 'cn-hangzhou',
    role: { accountId: '1757168149572678', roleName: 'czudfrole' },
    principal: 'acs:ram::1384322691904283:root',
    externalIds: [ID_A],
    functions: { namespace: 'udf', capabilities: ['invoke'] },
    ...overrides,
  };
}

describe('renderAliyunTrustPolicy', () => {
  it('allows the platform account only with the External ID', () => {
    expect(renderAliyunTrustPolicy(aliyunInput())).toEqual({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { RAM: ['acs:ram::1384322691904283:root'] },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': ID_A } },
        },
      ],
    });
  });

  it('accepts both ids during a rotation', () => {
    expect(renderAliyunTrustPolicy(aliyunInput({ externalIds: [ID_A, ID_B] })).Statement[0]?.Condition).toEqual({ StringEquals: { 'sts:ExternalId': [ID_A, ID_B] } });
  });
});

describe('renderAliyunPermissionPolicy', () => {
  it('invoke in one service, without a code bucket', () => {
    expect(renderAliyunPermissionPolicy(aliyunInput())).toEqual({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['fc:GetFunction', 'fc:GetService', 'fc:InvokeFunction', 'fc:ListFunctions'],
          Resource: [
            'acs:fc:cn-hangzhou:1757168149572678:services/udf',
            'acs:fc:cn-hangzhou:1757168149572678:services/udf/functions/*',
            'acs:fc:cn-hangzhou:1757168149572678:services/udf.*/functions/*',
          ],
        },
      ],
    });
  });

  it('invoke with a code bucket and no namespace: every service of the region and account', () => {
    const input = aliyunInput({ region: 'cn-shanghai', functions: { codeBucket: 'function-compute-my1', capabilities: ['invoke'] } });
    expect(renderAliyunPermissionPolicy(input)).toEqual({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['fc:GetFunction', 'fc:GetService', 'fc:InvokeFunction', 'fc:ListFunctions'],
          Resource: ['acs:fc:cn-shanghai:1757168149572678:services/*', 'acs:fc:cn-shanghai:1757168149572678:services/*/functions/*'],
        },
        { Effect: 'Allow', Action: ['oss:ListObjects'], Resource: 'acs:oss:*:1757168149572678:function-compute-my1' },
        { Effect: 'Allow', Action: ['oss:GetObject'], Resource: 'acs:oss:*:1757168149572678:function-compute-my1/*' },
      ],
    });
  });

  it('invoke and deploy with a code bucket and execution role', () => {
    const input = aliyunInput({
      functions: { namespace: 'udf', codeBucket: 'udf-code', capabilities: ['invoke', 'deploy'], executionRoleArn: 'acs:ram::1757168149572678:role/fc-exec' },
    });
    expect(renderAliyunPermissionPolicy(input)).toEqual({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['fc:CreateFunction', 'fc:CreateService', 'fc:DeleteFunction', 'fc:GetFunction', 'fc:GetService', 'fc:InvokeFunction', 'fc:ListFunctions', 'fc:PublishServiceVersion', 'fc:UpdateFunction'],
          Resource: [
            'acs:fc:cn-hangzhou:1757168149572678:services/udf',
            'acs:fc:cn-hangzhou:1757168149572678:services/udf/functions/*',
            'acs:fc:cn-hangzhou:1757168149572678:services/udf.*/functions/*',
          ],
        },
        { Effect: 'Allow', Action: ['oss:ListObjects'], Resource: 'acs:oss:*:1757168149572678:udf-code' },
        { Effect: 'Allow', Action: ['oss:GetObject', 'oss:PutObject'], Resource: 'acs:oss:*:1757168149572678:udf-code/*' },
        { Effect: 'Allow', Action: ['ram:PassRole'], Resource: 'acs:ram::1757168149572678:role/fc-exec', Condition: { StringEquals: { 'acs:Service': 'fc.aliyuncs.com' } } },
      ],
    });
  });

  it('deploy without an execution role is complete: FC 2.0 functions need none', () => {
    const input = aliyunInput({ functions: { namespace: 'udf', capabilities: ['deploy'] } });
    expect(renderAliyunPermissionPolicy(input).Statement).toHaveLength(1);
    expect(missingPolicyInputs(input)).toEqual([]);
  });

  it('lets deploy create only the connection\'s own service, and invoke-only connections none', () => {
    const deploy = renderAliyunPermissionPolicy(aliyunInput({ functions: { namespace: 'udf', capabilities: ['deploy'] } })).Statement[0]!;
    expect(deploy.Action).toContain('fc:CreateService');
    expect(deploy.Resource).toEqual([
      'acs:fc:cn-hangzhou:1757168149572678:services/udf',
      'acs:fc:cn-hangzhou:1757168149572678:services/udf/functions/*',
      'acs:fc:cn-hangzhou:1757168149572678:services/udf.*/functions/*',
    ]);
    expect(renderAliyunPermissionPolicy(aliyunInput()).Statement[0]!.Action).not.toContain('fc:CreateService');
  });
});

describe('renderAliyunInstallSteps', () => {
  it('names the aliyun ram commands and the files', () => {
    expect(renderAliyunInstallSteps(aliyunInput(), 'czudfrole')).toEqual([
      'Save the trust policy as trust-policy.json and the permission policy as permission-policy.json.',
      'With Aliyun CLI credentials for account 1757168149572678, create the role: aliyun ram CreateRole --RoleName czudfrole --AssumeRolePolicyDocument "$(cat trust-policy.json)"',
      'If the role already exists, replace its trust policy instead: aliyun ram UpdateRole --RoleName czudfrole --NewAssumeRolePolicyDocument "$(cat trust-policy.json)"',
      'Create the permission policy: aliyun ram CreatePolicy --PolicyName tether-access-czudfrole --PolicyDocument "$(cat permission-policy.json)"',
      'Attach it to the role: aliyun ram AttachPolicyToRole --PolicyType Custom --PolicyName tether-access-czudfrole --RoleName czudfrole',
      'Validate the connection in Tether; it checks that the role can be assumed with the External ID and cannot be assumed without it.',
    ]);
  });
});

describe('renderAliyunRevokeDenyPolicy', () => {
  it('says plainly that RAM cannot deny older sessions, and what to do instead', () => {
    expect(renderAliyunRevokeDenyPolicy(aliyunInput(), new Date('2030-01-02T03:04:05.000Z'))).toEqual({
      supported: false,
      statement:
        'Alibaba Cloud RAM has no condition key for when an STS token was issued, so no policy can deny only the sessions issued before 2030-01-02T03:04:05.000Z. ' +
        'Tether has rotated the External ID, so no new session can be opened with the old one. ' +
        'If existing sessions must stop now, detach the permission policy from role czudfrole (aliyun ram DetachPolicyFromRole --PolicyType Custom --PolicyName tether-access-czudfrole --RoleName czudfrole), which also stops Tether, ' +
        'and attach it again after 2030-01-02T15:04:05.000Z, when every older session has expired (a session lasts at most 12 hours).',
    });
  });
});
