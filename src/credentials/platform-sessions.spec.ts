import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logging/logger';
import { loadConfig } from '../config/load-config';
import { ProviderRegistry } from '../providers';
import { PlatformSessions } from './platform-sessions';

function sessionsWith(principals: string): PlatformSessions {
  const config = loadConfig({ TETHER_AWS_PRINCIPAL_ARN: principals, TETHER_ALIYUN_ACCOUNT_ID: '1111111111111111' });
  // Only the principal decisions are tested here; no call reaches a provider.
  return new PlatformSessions({} as ProviderRegistry, config, createLogger('silent'));
}

describe('PlatformSessions', () => {
  it('jumps through the principal when it is an IAM role, in the region\'s partition', () => {
    const sessions = sessionsWith('arn:aws:iam::111111111111:role/ops/tether-jump,arn:aws-cn:iam::222222222222:root');
    expect(sessions.jumpRoleFor('aws', 'us-east-1')).toBe('arn:aws:iam::111111111111:role/ops/tether-jump');
    expect(sessions.chains('aws', 'us-east-1')).toBe(true);
    expect(sessions.jumpRoleFor('aws', 'cn-north-1')).toBeUndefined();
    expect(sessions.chains('aws', 'cn-north-1')).toBe(false);
  });

  it('neither jumps nor chains for account, user principals and the other clouds', () => {
    for (const principal of ['arn:aws:iam::111111111111:root', 'arn:aws:iam::111111111111:user/tether']) {
      const sessions = sessionsWith(principal);
      expect(sessions.jumpRoleFor('aws', 'us-east-1')).toBeUndefined();
      expect(sessions.chains('aws', 'us-east-1')).toBe(false);
    }
    const sessions = sessionsWith('arn:aws:iam::111111111111:role/tether-jump');
    expect(sessions.jumpRoleFor('aliyun', 'cn-hangzhou')).toBeUndefined();
    expect(sessions.chains('aliyun', 'cn-hangzhou')).toBe(false);
  });
});
