import { describe, expect, it } from 'vitest';
import { renderAwsInstallSteps, renderAwsPermissionPolicy, renderAwsRevokeDenyPolicy, renderAwsTrustPolicy } from './aws';
import { missingPolicyInputs, type PolicyInput } from './policy-input';

const ID_A = 'tether-0123456789abcdefghjkmnpqrstvwx';
const ID_B = 'tether-zyxwvtsrqpnmkjhgfedcba987654321';

function awsInput(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    provider: 'aws',
    region: 'us-east-1',
    role: { accountId: '123456789012', roleName: 'TetherUdf', partition: 'aws' },
    principal: 'arn:aws:iam::999999999999:role/tether-broker',
    externalIds: [ID_A],
    functions: { capabilities: ['invoke'] },
    ...overrides,
  };
}

describe('renderAwsTrustPolicy', () => {
  it('allows the principal to assume the role, and to tag its sessions with tether: keys, only with the External ID', () => {
    expect(renderAwsTrustPolicy(awsInput())).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999999999999:role/tether-broker' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': ID_A } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999999999999:role/tether-broker' },
          Action: 'sts:TagSession',
          Condition: { StringEquals: { 'sts:ExternalId': ID_A }, 'ForAllValues:StringLike': { 'aws:TagKeys': 'tether:*' } },
        },
      ],
    });
  });

  it('accepts both ids during a rotation (aws-cn principal)', () => {
    const input = awsInput({ region: 'cn-north-1', role: { accountId: '028022243208', roleName: 'CzUdfRole', partition: 'aws-cn' }, principal: 'arn:aws-cn:iam::888888888888:root', externalIds: [ID_A, ID_B] });
    expect(renderAwsTrustPolicy(input)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws-cn:iam::888888888888:root' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': [ID_A, ID_B] } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws-cn:iam::888888888888:root' },
          Action: 'sts:TagSession',
          Condition: { StringEquals: { 'sts:ExternalId': [ID_A, ID_B] }, 'ForAllValues:StringLike': { 'aws:TagKeys': 'tether:*' } },
        },
      ],
    });
  });

  it('collapses a repeated id to one and refuses to render without any', () => {
    const document = renderAwsTrustPolicy(awsInput({ externalIds: [ID_A, ID_A] }));
    expect(document.Statement[0]?.Condition).toEqual({ StringEquals: { 'sts:ExternalId': ID_A } });
    expect(document.Statement[1]?.Condition?.StringEquals).toEqual({ 'sts:ExternalId': ID_A });
    expect(() => renderAwsTrustPolicy(awsInput({ externalIds: [] }))).toThrow(/at least one External ID/);
  });
});

describe('renderAwsPermissionPolicy', () => {
  it('invoke without a code bucket (partition aws)', () => {
    expect(renderAwsPermissionPolicy(awsInput())).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['lambda:GetFunction', 'lambda:InvokeFunction'], Resource: 'arn:aws:lambda:us-east-1:123456789012:function:*' },
        { Effect: 'Allow', Action: ['lambda:ListFunctions'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } },
      ],
    });
  });

  it('invoke with a code bucket (partition aws-us-gov, derived from the region)', () => {
    const input = awsInput({ region: 'us-gov-west-1', role: { accountId: '111122223333', roleName: 'GovUdf' }, functions: { codeBucket: 'gov-udf-code', capabilities: ['invoke'] } });
    expect(renderAwsPermissionPolicy(input)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['lambda:GetFunction', 'lambda:InvokeFunction'], Resource: 'arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:*' },
        { Effect: 'Allow', Action: ['lambda:ListFunctions'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-gov-west-1' } } },
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: 'arn:aws-us-gov:s3:::gov-udf-code' },
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws-us-gov:s3:::gov-udf-code/*' },
      ],
    });
  });

  it('invoke and deploy with a code bucket and execution role (partition aws-cn)', () => {
    const input = awsInput({
      region: 'cn-north-1',
      role: { accountId: '028022243208', roleName: 'CzUdfRole', partition: 'aws-cn' },
      functions: { namespace: 'default', codeBucket: 'cz-udf-code', capabilities: ['invoke', 'deploy'], executionRoleArn: 'arn:aws-cn:iam::028022243208:role/udf-exec' },
    });
    expect(renderAwsPermissionPolicy(input)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'lambda:CreateFunction',
            'lambda:DeleteFunction',
            'lambda:GetFunction',
            'lambda:GetFunctionConfiguration',
            'lambda:InvokeFunction',
            'lambda:PublishVersion',
            'lambda:UpdateFunctionCode',
            'lambda:UpdateFunctionConfiguration',
          ],
          Resource: 'arn:aws-cn:lambda:cn-north-1:028022243208:function:*',
        },
        { Effect: 'Allow', Action: ['lambda:ListFunctions'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'cn-north-1' } } },
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: 'arn:aws-cn:s3:::cz-udf-code' },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws-cn:s3:::cz-udf-code/*' },
        {
          Effect: 'Allow',
          Action: ['iam:PassRole'],
          Resource: 'arn:aws-cn:iam::028022243208:role/udf-exec',
          Condition: { StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'lambda.amazonaws.com.cn'] } },
        },
      ],
    });
  });

  it('passes the execution role only to Lambda in partition aws', () => {
    const input = awsInput({ functions: { capabilities: ['invoke', 'deploy'], executionRoleArn: 'arn:aws:iam::123456789012:role/service-role/udf-exec' } });
    expect(renderAwsPermissionPolicy(input).Statement.at(-1)).toEqual({
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: 'arn:aws:iam::123456789012:role/service-role/udf-exec',
      Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    });
  });

  it('deploy without an execution role grants no PassRole at all and reports the gap', () => {
    const input = awsInput({ functions: { capabilities: ['invoke', 'deploy'] } });
    const statements = renderAwsPermissionPolicy(input).Statement;
    expect(statements.map((statement) => statement.Action)).toEqual([
      [
        'lambda:CreateFunction',
        'lambda:DeleteFunction',
        'lambda:GetFunction',
        'lambda:GetFunctionConfiguration',
        'lambda:InvokeFunction',
        'lambda:PublishVersion',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
      ],
      ['lambda:ListFunctions'],
    ]);
    expect(missingPolicyInputs(input)).toEqual([
      'functions.executionRoleArn: deploying Lambda functions passes an execution role, and Tether grants iam:PassRole on that one role only.',
    ]);
  });

  it('never allows every action on every resource', () => {
    const input = awsInput({ functions: { codeBucket: 'b-u-c', capabilities: ['invoke', 'deploy'], executionRoleArn: 'arn:aws:iam::123456789012:role/x' } });
    for (const statement of renderAwsPermissionPolicy(input).Statement) {
      expect(statement.Action).not.toContain('*');
      if (statement.Resource === '*') expect(statement.Condition).toBeDefined();
    }
  });
});

describe('renderAwsInstallSteps', () => {
  it('names the CLI commands and the files', () => {
    expect(renderAwsInstallSteps(awsInput(), 'TetherUdf')).toEqual([
      'Save the trust policy as trust-policy.json and the permission policy as permission-policy.json.',
      'With AWS CLI credentials for account 123456789012 (partition aws), create the role: aws iam create-role --role-name TetherUdf --assume-role-policy-document file://trust-policy.json',
      'If the role already exists, replace its trust policy instead: aws iam update-assume-role-policy --role-name TetherUdf --policy-document file://trust-policy.json',
      'Attach the permission policy: aws iam put-role-policy --role-name TetherUdf --policy-name tether-access-TetherUdf --policy-document file://permission-policy.json',
      'Validate the connection in Tether; it checks that the role can be assumed with the External ID and cannot be assumed without it.',
    ]);
  });
});

describe('renderAwsRevokeDenyPolicy', () => {
  it('denies everything to sessions issued before the revocation', () => {
    const result = renderAwsRevokeDenyPolicy(awsInput(), new Date('2030-01-02T03:04:05.678Z'));
    expect(result.supported).toBe(true);
    expect(result.policy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2030-01-02T03:04:05.678Z' } } }],
    });
    expect(result.statement).toContain('sessions issued before 2030-01-02T03:04:05.678Z');
    expect(result.statement).toContain('aws iam put-role-policy --role-name TetherUdf');
  });
});
