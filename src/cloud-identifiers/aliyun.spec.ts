import { describe, expect, it } from 'vitest';
import { aliyunRootPrincipal, checkAliyunRegion, checkFcFunctionName, checkFcQualifier, checkFcServiceName, checkOssBucketName, parseAliyunRoleArn } from './aliyun';

describe('parseAliyunRoleArn', () => {
  it.each([
    ['acs:ram::1757168149572678:role/czudfrole', { provider: 'aliyun', accountId: '1757168149572678', roleName: 'czudfrole' }],
    ['acs:ram::1222808864000000:role/CzUDF.Role-1', { provider: 'aliyun', accountId: '1222808864000000', roleName: 'CzUDF.Role-1' }],
  ])('parses %s', (arn, expected) => {
    expect(parseAliyunRoleArn(arn)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['acs:ram::12228000000000000:role/', 'acs:ram::1234567890123456:role/my-role'],
    ['acs:ram::abc:role/r', 'numeric account UID'],
    ['acs:ram::1234567890123456:role/under_score', '1–64 letters, digits, . or -'],
    ['acs:ram::1234567890123456:user/alice', 'acs:ram::1234567890123456:role/my-role'],
    [`acs:ram::1234567890123456:role/${'r'.repeat(65)}`, '1–64'],
    ['acs:ram:cn-hangzhou:1234567890123456:role/r', 'acs:ram::'],
    ['arn:aws:iam::123456789012:role/R', 'use provider aws'],
    ['qcs::cam::uin/100000000001:roleName/R', 'use provider tencent'],
  ])('refuses %s', (arn, fragment) => {
    const result = parseAliyunRoleArn(arn);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(fragment);
  });
});

describe('Aliyun identifiers', () => {
  it('renders the account root principal', () => {
    expect(aliyunRootPrincipal('1384322691904283')).toEqual({ ok: true, value: 'acs:ram::1384322691904283:root' });
    expect(aliyunRootPrincipal('13843x')).toEqual({ ok: false, message: 'An Alibaba Cloud account UID is a number such as 1234567890123456.' });
  });

  it.each(['cn-hangzhou', 'cn-shanghai', 'ap-southeast-1', 'eu-central-1', 'us-west-1', 'cn-hangzhou-finance'])('accepts region %s', (region) => {
    expect(checkAliyunRegion(region)).toEqual({ ok: true });
  });

  it.each(['hangzhou', 'cn_hangzhou', 'CN-HANGZHOU', 'cn-', ''])('refuses region %j', (region) => {
    expect(checkAliyunRegion(region).ok).toBe(false);
  });

  it('checks FC function and service names', () => {
    expect(checkFcFunctionName('_score-2')).toEqual({ ok: true });
    expect(checkFcFunctionName('f'.repeat(128))).toEqual({ ok: true });
    expect(checkFcFunctionName('f'.repeat(129)).ok).toBe(false);
    expect(checkFcFunctionName('2score').ok).toBe(false);
    expect(checkFcServiceName(undefined)).toEqual({ ok: true });
    expect(checkFcServiceName('udf_service')).toEqual({ ok: true });
    const refusal = checkFcServiceName('udf.service');
    expect(refusal.ok ? '' : refusal.message).toContain('service name (the connection namespace)');
  });

  it('checks qualifiers', () => {
    for (const qualifier of ['LATEST', '3', 'prod']) expect(checkFcQualifier(qualifier)).toEqual({ ok: true });
    for (const qualifier of ['$LATEST', '-x', '']) expect(checkFcQualifier(qualifier).ok).toBe(false);
  });

  it('checks OSS bucket names', () => {
    expect(checkOssBucketName('function-compute-my1')).toEqual({ ok: true });
    for (const bucket of ['ab', 'a.b.c', 'Upper-case', '-start', 'end-', 'a'.repeat(64)]) expect(checkOssBucketName(bucket).ok).toBe(false);
  });
});
