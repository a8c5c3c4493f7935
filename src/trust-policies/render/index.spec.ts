import { describe, expect, it } from 'vitest';
import { renderInstallSteps, renderPermissionPolicy, renderRevokeDenyPolicy, renderTrustPolicy, requiresExecutionRole, type PolicyInput } from './index';

const base = {
  region: 'ap-shanghai',
  role: { accountId: '100012345678', roleName: 'R' },
  externalIds: ['tether-0123456789abcdefghjkmnpqrstvwx'],
  functions: { capabilities: ['invoke' as const] },
};

describe('provider dispatch', () => {
  it('renders each cloud in its own policy language', () => {
    const aws: PolicyInput = { ...base, provider: 'aws', region: 'us-east-1', role: { accountId: '123456789012', roleName: 'R' }, principal: 'arn:aws:iam::999999999999:root' };
    const aliyun: PolicyInput = { ...base, provider: 'aliyun', region: 'cn-hangzhou', principal: 'acs:ram::1384322691904283:root' };
    const tencent: PolicyInput = { ...base, provider: 'tencent', principal: 'qcs::cam::uin/100029595716:root' };
    expect(renderTrustPolicy(aws)).toHaveProperty('Version', '2012-10-17');
    expect(renderTrustPolicy(aliyun)).toHaveProperty('Version', '1');
    expect(renderTrustPolicy(tencent)).toHaveProperty('version', '2.0');
    expect(renderPermissionPolicy(aliyun)).toHaveProperty('Statement.0.Action.0', 'fc:GetFunction');
    expect(renderInstallSteps(tencent)[1]).toContain('tccli cam CreateRole --RoleName R ');
    expect(renderInstallSteps(aws, 'Other')[1]).toContain('--role-name Other ');
    expect(renderRevokeDenyPolicy(aws, new Date(0)).supported).toBe(true);
    expect(renderRevokeDenyPolicy(aliyun, new Date(0)).supported).toBe(false);
    expect(renderRevokeDenyPolicy(tencent, new Date(0)).supported).toBe(false);
  });

  it('knows which clouds need an execution role to deploy', () => {
    expect(requiresExecutionRole('aws')).toBe(true);
    expect(requiresExecutionRole('aliyun')).toBe(false);
    expect(requiresExecutionRole('tencent')).toBe(false);
  });
});
