import { describe, expect, it } from 'vitest';
import { PlatformIdentity } from './platform-identity';
import { ProviderError } from './provider-error';

describe('PlatformIdentity', () => {
  it('reads Aliyun and Tencent keys (with session tokens) from the environment it is given, as Sensitive values', () => {
    const identity = new PlatformIdentity({
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIkey',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'ali-secret-value',
      ALIBABA_CLOUD_SECURITY_TOKEN: 'ali-token-value',
      TENCENTCLOUD_SECRET_ID: 'AKIDkey',
      TENCENTCLOUD_SECRET_KEY: 'tc-secret-value',
    });
    const ali = identity.keysFor('aliyun');
    expect(ali.accessKeyId).toBe('LTAIkey');
    expect(ali.secretAccessKey.reveal()).toBe('ali-secret-value');
    expect(ali.sessionToken?.reveal()).toBe('ali-token-value');
    expect(JSON.stringify(ali)).not.toContain('ali-secret-value');
    const tc = identity.resolve('tencent', 'ambient');
    expect(tc.accessKeyId).toBe('AKIDkey');
    expect(tc.sessionToken).toBeUndefined();
    const explicit = { accessKeyId: 'x', secretAccessKey: tc.secretAccessKey };
    expect(identity.resolve('tencent', explicit)).toBe(explicit);
  });

  it('names the missing variables when a cloud has no platform identity', () => {
    const identity = new PlatformIdentity({ TENCENTCLOUD_SECRET_ID: 'AKIDkey', TENCENTCLOUD_SECRET_KEY: '  ' });
    expect(identity.isConfigured('tencent')).toBe(false);
    expect(identity.isConfigured('aws')).toBe(true);
    try {
      identity.keysFor('tencent');
      throw new Error('expected a ProviderError');
    } catch (error) {
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ kind: 'invalid_credentials', provider: 'tencent' });
      expect((error as Error).message).toContain('TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY');
    }
  });

  it('leaves AWS to the default chain for the process environment, and reads keys from an explicit one', () => {
    expect(new PlatformIdentity(process.env).aws()).toEqual({ kind: 'default-chain' });
    expect(new PlatformIdentity({}).aws()).toEqual({ kind: 'default-chain' });
    const explicit = new PlatformIdentity({ AWS_ACCESS_KEY_ID: 'AKIAX', AWS_SECRET_ACCESS_KEY: 'aws-secret', AWS_SESSION_TOKEN: 'aws-token' }).aws();
    expect(explicit.kind).toBe('keys');
    if (explicit.kind === 'keys') expect(explicit.credentials.sessionToken?.reveal()).toBe('aws-token');
  });
});
