import { describe, expect, it } from 'vitest';
import { renderOnboarding, renderPermissionPolicy, renderTrustPolicy, supportsOnboardingFormat, unescapeTemplate, type PolicyInput } from './index';

const awsInput: PolicyInput = {
  provider: 'aws',
  region: 'cn-north-1',
  role: { accountId: '028022243208', roleName: 'CzUdfRole', partition: 'aws-cn' },
  principal: 'arn:aws-cn:iam::888888888888:role/tether-broker',
  externalIds: ['tether-0123456789abcdefghjkmnpqrstvwx', 'tether-zyxwvtsrqpnmkjhgfedcba987654321'],
  functions: { codeBucket: 'cz-udf-code', capabilities: ['invoke', 'deploy'], executionRoleArn: 'arn:aws-cn:iam::028022243208:role/udf-exec' },
};

const aliyunInput: PolicyInput = {
  provider: 'aliyun',
  region: 'cn-hangzhou',
  role: { accountId: '1757168149572678', roleName: 'czudfrole' },
  principal: 'acs:ram::1384322691904283:root',
  externalIds: ['tether-0123456789abcdefghjkmnpqrstvwx'],
  functions: { namespace: 'udf', codeBucket: 'udf-code', capabilities: ['invoke'] },
};

const tencentInput: PolicyInput = {
  provider: 'tencent',
  region: 'ap-shanghai',
  role: { accountId: '100012345678', roleName: 'LakehouseRole' },
  principal: 'qcs::cam::uin/100029595716:root',
  externalIds: ['tether-0123456789abcdefghjkmnpqrstvwx'],
  functions: { namespace: 'default', codeBucket: 'myfunction-1310000000', capabilities: ['invoke'] },
};

// Reads a policy embedded as a Terraform JSON string back into an object.
const policyFrom = (value: unknown): unknown => JSON.parse(unescapeTemplate(value as string));

describe('CloudFormation onboarding', () => {
  it('creates the role with exactly the rendered trust and permission policies', () => {
    const document = renderOnboarding(awsInput, 'cloudformation');
    expect(document).toMatchObject({ format: 'cloudformation', fileName: 'tether-CzUdfRole.cloudformation.json', contentType: 'application/json' });
    expect(JSON.parse(document.content)).toEqual({
      AWSTemplateFormatVersion: '2010-09-09',
      Description: 'IAM role CzUdfRole that Tether assumes with its External ID.',
      Resources: {
        TetherRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'CzUdfRole',
            Description: 'Assumed by Tether with an External ID.',
            AssumeRolePolicyDocument: renderTrustPolicy(awsInput),
            Policies: [{ PolicyName: 'tether-access-CzUdfRole', PolicyDocument: renderPermissionPolicy(awsInput) }],
          },
        },
      },
      Outputs: { RoleArn: { Description: 'Give this ARN to Tether as the connection roleArn.', Value: { 'Fn::GetAtt': ['TetherRole', 'Arn'] } } },
    });
  });

  it('exists for AWS only', () => {
    expect(supportsOnboardingFormat('aws', 'cloudformation')).toBe(true);
    expect(supportsOnboardingFormat('aliyun', 'cloudformation')).toBe(false);
    expect(supportsOnboardingFormat('tencent', 'terraform')).toBe(true);
    expect(() => renderOnboarding(aliyunInput, 'cloudformation')).toThrow(RangeError);
  });
});

describe('Terraform onboarding', () => {
  it('AWS: aws_iam_role and aws_iam_role_policy carry the rendered policies', () => {
    const document = renderOnboarding(awsInput, 'terraform');
    expect(document).toMatchObject({ format: 'terraform', fileName: 'tether-CzUdfRole.tf.json', contentType: 'application/json' });
    const terraform = JSON.parse(document.content);
    expect(terraform.terraform).toEqual({ required_providers: { aws: { source: 'hashicorp/aws' } } });
    expect(terraform.provider).toEqual({ aws: { region: 'cn-north-1' } });
    const role = terraform.resource.aws_iam_role.tether;
    const rolePolicy = terraform.resource.aws_iam_role_policy.tether;
    expect(policyFrom(role.assume_role_policy)).toEqual(renderTrustPolicy(awsInput));
    expect(policyFrom(rolePolicy.policy)).toEqual(renderPermissionPolicy(awsInput));
    expect({ ...role, assume_role_policy: undefined }).toEqual({ name: 'CzUdfRole', description: 'Assumed by Tether with an External ID.', assume_role_policy: undefined });
    expect({ ...rolePolicy, policy: undefined }).toEqual({ name: 'tether-access-CzUdfRole', role: '${aws_iam_role.tether.id}', policy: undefined });
    expect(terraform.output).toEqual({ role_arn: { description: 'Give this ARN to Tether as the connection roleArn.', value: '${aws_iam_role.tether.arn}' } });
  });

  it('Aliyun: alicloud_ram_role, alicloud_ram_policy and the attachment', () => {
    const terraform = JSON.parse(renderOnboarding(aliyunInput, 'terraform').content);
    expect(terraform.terraform).toEqual({ required_providers: { alicloud: { source: 'aliyun/alicloud', version: '>= 1.252.0' } } });
    expect(terraform.provider).toEqual({ alicloud: { region: 'cn-hangzhou' } });
    const { alicloud_ram_role, alicloud_ram_policy, alicloud_ram_role_policy_attachment } = terraform.resource;
    expect(policyFrom(alicloud_ram_role.tether.assume_role_policy_document)).toEqual(renderTrustPolicy(aliyunInput));
    expect(policyFrom(alicloud_ram_policy.tether.policy_document)).toEqual(renderPermissionPolicy(aliyunInput));
    expect(alicloud_ram_role.tether.role_name).toBe('czudfrole');
    expect(alicloud_ram_policy.tether.policy_name).toBe('tether-access-czudfrole');
    expect(alicloud_ram_role_policy_attachment).toEqual({
      tether: { role_name: '${alicloud_ram_role.tether.role_name}', policy_name: '${alicloud_ram_policy.tether.policy_name}', policy_type: 'Custom' },
    });
    expect(terraform.output.role_arn.value).toBe('${alicloud_ram_role.tether.arn}');
  });

  it('Tencent: tencentcloud_cam_role, tencentcloud_cam_policy and the attachment', () => {
    const terraform = JSON.parse(renderOnboarding(tencentInput, 'terraform').content);
    expect(terraform.terraform).toEqual({ required_providers: { tencentcloud: { source: 'tencentcloudstack/tencentcloud' } } });
    expect(terraform.provider).toEqual({ tencentcloud: { region: 'ap-shanghai' } });
    const { tencentcloud_cam_role, tencentcloud_cam_policy, tencentcloud_cam_role_policy_attachment } = terraform.resource;
    expect(policyFrom(tencentcloud_cam_role.tether.document)).toEqual(renderTrustPolicy(tencentInput));
    expect(policyFrom(tencentcloud_cam_policy.tether.document)).toEqual(renderPermissionPolicy(tencentInput));
    expect(tencentcloud_cam_role.tether.name).toBe('LakehouseRole');
    expect(tencentcloud_cam_policy.tether.name).toBe('tether-access-LakehouseRole');
    expect(tencentcloud_cam_role_policy_attachment).toEqual({ tether: { role_id: '${tencentcloud_cam_role.tether.id}', policy_id: '${tencentcloud_cam_policy.tether.id}' } });
    expect(terraform.output.role_arn.value).toBe('qcs::cam::uin/100012345678:roleName/LakehouseRole');
  });

  it('keeps template sequences in policies literal', () => {
    const input: PolicyInput = { ...awsInput, functions: { ...awsInput.functions, executionRoleArn: 'arn:aws-cn:iam::028022243208:role/${x}/%{y}/exec' } };
    const terraform = JSON.parse(renderOnboarding(input, 'terraform').content);
    const raw: string = terraform.resource.aws_iam_role_policy.tether.policy;
    expect(raw).toContain('role/$${x}/%%{y}/exec');
    expect(policyFrom(raw)).toEqual(renderPermissionPolicy(input));
  });

  it('creates no permission policy when the connection needs none', () => {
    const input: PolicyInput = { ...tencentInput, functions: { capabilities: [] } };
    const terraform = JSON.parse(renderOnboarding(input, 'terraform').content);
    expect(Object.keys(terraform.resource)).toEqual(['tencentcloud_cam_role']);
  });
});
