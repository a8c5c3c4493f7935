import { describe, expect, it } from 'vitest';
import { checkCosBucketName, checkScfFunctionName, checkScfNamespace, checkScfQualifier, checkTencentRegion, parseCosBucket, parseTencentRoleArn, tencentRootPrincipal } from './tencent';

describe('parseTencentRoleArn', () => {
  it('parses the roleName form', () => {
    expect(parseTencentRoleArn('qcs::cam::uin/100029595716:roleName/LakehouseRole')).toEqual({
      ok: true,
      value: { provider: 'tencent', accountId: '100029595716', roleName: 'LakehouseRole' },
    });
  });

  it('parses the role id form', () => {
    expect(parseTencentRoleArn('qcs::cam::uin/100000000001:role/4611686018427397919')).toEqual({
      ok: true,
      value: { provider: 'tencent', accountId: '100000000001', roleName: '4611686018427397919', roleId: '4611686018427397919' },
    });
  });

  it.each([
    ['qcs::cam::uin/1000xxx:roleName/R', 'qcs::cam::uin/100000000001:roleName/MyRole'],
    ['qcs::cam::uin/100000000001:roleName/', 'qcs::cam::uin/100000000001:roleName/MyRole'],
    ['qcs::cam::uin/100000000001:role/not-a-number', 'numeric role id'],
    ['qcs::cam::uin/100000000001:role/tencentcloudServiceRole/123', 'service role'],
    ['qcs::cam::uin/100000000001:uin/100000000002', 'qcs::cam::uin/100000000001:roleName/MyRole'],
    ['arn:aws:iam::123456789012:role/R', 'use provider aws'],
    ['acs:ram::1234567890123456:role/r', 'use provider aliyun'],
  ])('refuses %s', (arn, fragment) => {
    const result = parseTencentRoleArn(arn);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(fragment);
  });
});

describe('Tencent identifiers', () => {
  it('renders the account root principal', () => {
    expect(tencentRootPrincipal('100029595716')).toEqual({ ok: true, value: 'qcs::cam::uin/100029595716:root' });
    expect(tencentRootPrincipal('uin/1').ok).toBe(false);
  });

  it.each(['ap-guangzhou', 'ap-shanghai', 'na-siliconvalley', 'eu-frankfurt', 'sa-saopaulo', 'ap-shanghai-fsi'])('accepts region %s', (region) => {
    expect(checkTencentRegion(region)).toEqual({ ok: true });
  });

  it.each(['cn-north-1', 'ap-shanghai-1', 'us-east-1', 'ap-', 'ap-shanghai-finance'])('refuses region %s', (region) => {
    expect(checkTencentRegion(region).ok).toBe(false);
  });

  it('checks SCF names, namespaces and qualifiers', () => {
    expect(checkScfFunctionName('score-v2')).toEqual({ ok: true });
    expect(checkScfFunctionName(`a${'b'.repeat(59)}`)).toEqual({ ok: true });
    for (const name of ['a', 'score-', '1score', `a${'b'.repeat(60)}`]) expect(checkScfFunctionName(name).ok).toBe(false);
    expect(checkScfNamespace(undefined)).toEqual({ ok: true });
    expect(checkScfNamespace('default')).toEqual({ ok: true });
    expect(checkScfNamespace('bad namespace').ok).toBe(false);
    for (const qualifier of ['$LATEST', '$DEFAULT', '12', 'prod']) expect(checkScfQualifier(qualifier)).toEqual({ ok: true });
    for (const qualifier of ['$latest', '_x', '']) expect(checkScfQualifier(qualifier).ok).toBe(false);
  });

  it('splits COS buckets into name and APPID', () => {
    expect(parseCosBucket('myfunction-1310000000')).toEqual({ ok: true, value: { name: 'myfunction', appId: '1310000000' } });
    expect(parseCosBucket('udf-code-2-1250000000')).toEqual({ ok: true, value: { name: 'udf-code-2', appId: '1250000000' } });
    expect(checkCosBucketName(`${'b'.repeat(50)}-1250000000`)).toEqual({ ok: true });
  });

  it.each(['myfunction', 'MyFunction-1250000000', '-x-1250000000', 'x--1250000000', `${'b'.repeat(51)}-1250000000`, 'x_y-1250000000'])('refuses COS bucket %s', (bucket) => {
    const result = checkCosBucketName(bucket);
    expect(result.ok ? '' : result.message).toContain('<name>-<APPID>');
  });
});
