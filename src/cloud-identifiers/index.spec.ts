import { describe, expect, it } from 'vitest';
import { checkBucketName, checkFunctionName, checkNamespace, checkQualifier, isCloudProvider, isValidRegion, parseRoleArn } from './index';

describe('provider dispatch', () => {
  it('parses each cloud in its own form only', () => {
    expect(parseRoleArn('aws', 'arn:aws-cn:iam::028022243208:role/CzUdfRole')).toEqual({
      ok: true,
      value: { provider: 'aws', partition: 'aws-cn', accountId: '028022243208', roleName: 'CzUdfRole' },
    });
    expect(parseRoleArn('aliyun', 'acs:ram::1757168149572678:role/czudfrole')).toEqual({ ok: true, value: { provider: 'aliyun', accountId: '1757168149572678', roleName: 'czudfrole' } });
    expect(parseRoleArn('tencent', 'qcs::cam::uin/100029595716:roleName/LakehouseRole').ok).toBe(true);
    expect(parseRoleArn('aws', 'acs:ram::1757168149572678:role/czudfrole').ok).toBe(false);
    expect(parseRoleArn('tencent', 'arn:aws:iam::123456789012:role/R').ok).toBe(false);
  });

  it('checks regions per cloud', () => {
    expect(isValidRegion('aws', 'cn-north-1')).toBe(true);
    expect(isValidRegion('aliyun', 'cn-north-1')).toBe(true); // Aliyun's form is broader; it is a syntax check
    expect(isValidRegion('tencent', 'cn-north-1')).toBe(false);
    expect(isValidRegion('aws', 'ap-guangzhou')).toBe(false);
    expect(isValidRegion('tencent', 'ap-guangzhou')).toBe(true);
  });

  it('checks names per cloud', () => {
    expect(checkFunctionName('aliyun', '_x').ok).toBe(true);
    expect(checkFunctionName('tencent', '_x').ok).toBe(false);
    expect(checkNamespace('aws', 'team').ok).toBe(false);
    expect(checkNamespace('tencent', 'team').ok).toBe(true);
    expect(checkQualifier('tencent', '$DEFAULT').ok).toBe(true);
    expect(checkQualifier('aws', '$DEFAULT').ok).toBe(false);
    expect(checkBucketName('aws', 'cz-udf-code').ok).toBe(true);
    expect(checkBucketName('tencent', 'cz-udf-code').ok).toBe(false);
    expect(checkBucketName('tencent', 'cz-udf-code-1250000000').ok).toBe(true);
    expect(checkBucketName('aliyun', 'my.bucket').ok).toBe(false);
  });

  it('recognises providers', () => {
    expect(isCloudProvider('aliyun')).toBe(true);
    expect(isCloudProvider('gcp')).toBe(false);
  });
});
