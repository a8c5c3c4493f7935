import { describe, expect, it } from 'vitest';
import {
  awsPartitionOfRegion,
  awsPrincipalForPartition,
  checkAwsPartitionMatchesRegion,
  checkAwsRegion,
  checkLambdaFunctionName,
  checkLambdaNamespace,
  checkLambdaQualifier,
  checkS3BucketName,
  parseAwsPrincipalArns,
  parseAwsRoleArn,
} from './aws';

function messageOf(result: { ok: boolean; message?: string }): string {
  expect(result.ok).toBe(false);
  return result.message ?? '';
}

describe('parseAwsRoleArn', () => {
  it.each([
    ['arn:aws:iam::123456789012:role/MyRole', { provider: 'aws', partition: 'aws', accountId: '123456789012', roleName: 'MyRole' }],
    ['arn:aws-cn:iam::028022243208:role/CzUdfRole', { provider: 'aws', partition: 'aws-cn', accountId: '028022243208', roleName: 'CzUdfRole' }],
    ['arn:aws-us-gov:iam::111122223333:role/gov+role=a,b.c@d_e-f', { provider: 'aws', partition: 'aws-us-gov', accountId: '111122223333', roleName: 'gov+role=a,b.c@d_e-f' }],
    ['arn:aws:iam::123456789012:role/service-role/MyRole', { provider: 'aws', partition: 'aws', accountId: '123456789012', roleName: 'MyRole', path: '/service-role/' }],
    ['arn:aws-cn:iam::123456789012:role/a/b/c/Deep', { provider: 'aws', partition: 'aws-cn', accountId: '123456789012', roleName: 'Deep', path: '/a/b/c/' }],
  ])('parses %s', (arn, expected) => {
    expect(parseAwsRoleArn(arn)).toEqual({ ok: true, value: expected });
  });

  it('accepts a 64-character role name and refuses 65', () => {
    expect(parseAwsRoleArn(`arn:aws:iam::123456789012:role/${'r'.repeat(64)}`).ok).toBe(true);
    expect(messageOf(parseAwsRoleArn(`arn:aws:iam::123456789012:role/${'r'.repeat(65)}`))).toContain('1–64');
  });

  it('refuses a path longer than 512 characters', () => {
    expect(parseAwsRoleArn(`arn:aws:iam::123456789012:role/${'p'.repeat(510)}/R`).ok).toBe(true); // path "/" + 510 + "/" = 512
    expect(messageOf(parseAwsRoleArn(`arn:aws:iam::123456789012:role/${'p'.repeat(511)}/R`))).toContain('512');
  });

  it.each([
    ['arn:aws-iso:iam::123456789012:role/R', 'Partition "aws-iso" is not supported'],
    ['arn:aws:iam::12345678901:role/R', 'exactly 12 digits'],
    ['arn:aws:iam::1234567890123:role/R', 'exactly 12 digits'],
    ['arn:aws:iam::123456789012:user/alice', 'this ARN names user'],
    ['arn:aws:sts::123456789012:assumed-role/R/session', 'assumed-role session'],
    ['arn:aws:s3:::bucket/role/R', 'names the iam service'],
    ['arn:aws:iam:us-east-1:123456789012:role/R', 'no region'],
    ['arn:aws:iam::123456789012:role/', '1–64'],
    ['arn:aws:iam::123456789012:role/bad name', '1–64'],
    ['acs:ram::1234567890123456:role/r', 'use provider aliyun'],
    ['qcs::cam::uin/100000000001:roleName/r', 'use provider tencent'],
    ['not an arn at all, long enough', 'must look like arn:aws:iam::123456789012:role/MyRole'],
    ['arn:aws', '20–2048'],
  ])('refuses %s with a message naming the rule', (arn, fragment) => {
    const message = messageOf(parseAwsRoleArn(arn));
    expect(message).toContain(fragment);
  });

  it('names the expected form and partitions in every refusal', () => {
    expect(messageOf(parseAwsRoleArn('arn:aws:iam::1:role/R'))).toContain('partition aws, aws-cn or aws-us-gov; 12-digit account');
  });
});

describe('AWS regions and partitions', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-west-3', 'aws'],
    ['ap-southeast-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
  ])('%s is in partition %s', (region, partition) => {
    expect(checkAwsRegion(region)).toEqual({ ok: true });
    expect(awsPartitionOfRegion(region)).toBe(partition);
  });

  it.each(['us-east', 'US-EAST-1', 'useast1', 'us-iso-east-1', 'cn-hangzhou', 'ap-guangzhou', ''])('refuses region %j', (region) => {
    expect(messageOf(checkAwsRegion(region))).toContain('us-east-1');
    expect(awsPartitionOfRegion(region)).toBeUndefined();
  });

  it('accepts a role in the partition of the region', () => {
    expect(checkAwsPartitionMatchesRegion('aws-cn', 'cn-north-1')).toEqual({ ok: true });
    expect(checkAwsPartitionMatchesRegion('aws-us-gov', 'us-gov-west-1')).toEqual({ ok: true });
    expect(checkAwsPartitionMatchesRegion('aws', 'eu-central-1')).toEqual({ ok: true });
  });

  it('refuses a role of another partition and says how to fix it', () => {
    expect(checkAwsPartitionMatchesRegion('aws', 'cn-north-1')).toEqual({
      ok: false,
      message:
        'The role ARN is in partition aws but region cn-north-1 is in partition aws-cn; AWS partitions do not trust each other, so use a role ARN beginning arn:aws-cn: or a region of partition aws.',
    });
    expect(checkAwsPartitionMatchesRegion('aws-cn', 'us-gov-west-1').ok).toBe(false);
  });
});

describe('Lambda and S3 names', () => {
  it('checks function names', () => {
    expect(checkLambdaFunctionName('score_v2-final')).toEqual({ ok: true });
    expect(checkLambdaFunctionName('f'.repeat(64))).toEqual({ ok: true });
    expect(messageOf(checkLambdaFunctionName('f'.repeat(65)))).toContain('1–64');
    expect(messageOf(checkLambdaFunctionName('has.dot'))).toContain('1–64');
    expect(messageOf(checkLambdaFunctionName('arn:aws:lambda:us-east-1:123456789012:function:f'))).toContain('not its ARN');
  });

  it('has no namespaces', () => {
    expect(checkLambdaNamespace(undefined)).toEqual({ ok: true });
    expect(checkLambdaNamespace('default')).toEqual({ ok: true });
    expect(messageOf(checkLambdaNamespace('team-a'))).toContain('no namespaces');
  });

  it('checks qualifiers', () => {
    for (const qualifier of ['$LATEST', '7', 'prod', 'blue_green-2']) expect(checkLambdaQualifier(qualifier)).toEqual({ ok: true });
    for (const qualifier of ['$DEFAULT', 'LATEST!', '', 'a'.repeat(129)]) expect(checkLambdaQualifier(qualifier).ok).toBe(false);
  });

  it.each(['cz-udf-code', 'my.bucket.name', 'abc', 'a'.repeat(63)])('accepts bucket %s', (bucket) => {
    expect(checkS3BucketName(bucket)).toEqual({ ok: true });
  });

  it.each(['ab', 'a'.repeat(64), 'Upper', 'under_score', '-start', 'end-', 'two..dots', '192.168.1.1', 'xn--punycode', 'sthree-x', 'amzn-s3-demo-x', 'x-s3alias', 'x--ol-s3', 'x.mrap', 'x--x-s3', 'x--table-s3'])(
    'refuses bucket %s',
    (bucket) => {
      expect(messageOf(checkS3BucketName(bucket))).toContain('S3 bucket name is 3–63');
    },
  );
});

describe('TETHER_AWS_PRINCIPAL_ARN', () => {
  it('maps one principal per partition, trimming spaces and empty entries', () => {
    expect(parseAwsPrincipalArns(' arn:aws:iam::111111111111:role/tether-broker , arn:aws-cn:iam::222222222222:root,,arn:aws-us-gov:iam::333333333333:user/ops/tether')).toEqual({
      ok: true,
      value: {
        aws: 'arn:aws:iam::111111111111:role/tether-broker',
        'aws-cn': 'arn:aws-cn:iam::222222222222:root',
        'aws-us-gov': 'arn:aws-us-gov:iam::333333333333:user/ops/tether',
      },
    });
  });

  it('refuses two principals for one partition, naming positions not values', () => {
    expect(parseAwsPrincipalArns('arn:aws:iam::111111111111:role/a,arn:aws-cn:iam::222222222222:root,arn:aws:iam::333333333333:role/b')).toEqual({
      ok: false,
      message: 'Entries 1 and 3 of TETHER_AWS_PRINCIPAL_ARN are both in partition aws; give exactly one principal per partition.',
    });
  });

  it('refuses entries that are not IAM principals', () => {
    const message = messageOf(parseAwsPrincipalArns('arn:aws:iam::111111111111:role/a,arn:aws:sts::111111111111:assumed-role/a/s'));
    expect(message).toContain('Entry 2 of TETHER_AWS_PRINCIPAL_ARN');
    expect(message).not.toContain('assumed-role/a/s');
    expect(messageOf(parseAwsPrincipalArns(' , '))).toContain('is empty');
  });

  it('finds the principal of a partition or explains which entry is missing', () => {
    const principals = { aws: 'arn:aws:iam::111111111111:role/tether-broker' };
    expect(awsPrincipalForPartition(principals, 'aws')).toEqual({ ok: true, value: 'arn:aws:iam::111111111111:role/tether-broker' });
    expect(messageOf(awsPrincipalForPartition(principals, 'aws-cn'))).toContain('add an arn:aws-cn:iam::… entry to TETHER_AWS_PRINCIPAL_ARN');
  });
});
