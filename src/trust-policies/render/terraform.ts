import { renderAliyunPermissionPolicy, renderAliyunTrustPolicy } from './aliyun';
import { renderAwsPermissionPolicy, renderAwsTrustPolicy } from './aws';
import { permissionPolicyName, type PolicyInput } from './policy-input';
import { renderTencentPermissionPolicy, renderTencentTrustPolicy } from './tencent';

/** The name every generated Terraform resource carries (`aws_iam_role.tether`, …). */
export const TERRAFORM_RESOURCE_NAME = 'tether';

/**
 * A policy document as a Terraform JSON string value. Strings in `.tf.json` are templates, so
 * `${` and `%{` are doubled to keep them literal (an IAM path may contain them).
 */
export function terraformPolicyString(document: object): string {
  return escapeTemplate(JSON.stringify(document));
}

export function escapeTemplate(value: string): string {
  // Function replacers: in a replacement string "$$" would itself collapse to "$".
  return value.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** Reads back what {@link terraformPolicyString} wrote. */
export function unescapeTemplate(value: string): string {
  return value.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}

const ref = (expression: string): string => `\${${expression}}`;

/** A `*.tf.json` document creating the role and its permission policy on the connection's cloud. */
export function renderTerraform(input: PolicyInput): Record<string, unknown> {
  switch (input.provider) {
    case 'aws':
      return renderAwsTerraform(input);
    case 'aliyun':
      return renderAliyunTerraform(input);
    case 'tencent':
      return renderTencentTerraform(input);
  }
}

function renderAwsTerraform(input: PolicyInput): Record<string, unknown> {
  const { roleName } = input.role;
  const permissionPolicy = renderAwsPermissionPolicy(input);
  const role = `aws_iam_role.${TERRAFORM_RESOURCE_NAME}`;
  return {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws' } } },
    // The region also selects the partition's endpoints (cn-* → aws-cn).
    provider: { aws: { region: input.region } },
    resource: {
      aws_iam_role: {
        [TERRAFORM_RESOURCE_NAME]: { name: roleName, description: 'Assumed by Tether with an External ID.', assume_role_policy: terraformPolicyString(renderAwsTrustPolicy(input)) },
      },
      // IAM refuses a policy without statements.
      ...(permissionPolicy.Statement.length > 0
        ? { aws_iam_role_policy: { [TERRAFORM_RESOURCE_NAME]: { name: permissionPolicyName(roleName), role: ref(`${role}.id`), policy: terraformPolicyString(permissionPolicy) } } }
        : {}),
    },
    output: { role_arn: { description: 'Give this ARN to Tether as the connection roleArn.', value: ref(`${role}.arn`) } },
  };
}

function renderAliyunTerraform(input: PolicyInput): Record<string, unknown> {
  const { roleName } = input.role;
  const permissionPolicy = renderAliyunPermissionPolicy(input);
  const role = `alicloud_ram_role.${TERRAFORM_RESOURCE_NAME}`;
  const policy = `alicloud_ram_policy.${TERRAFORM_RESOURCE_NAME}`;
  return {
    // role_name and assume_role_policy_document replaced name and document in provider 1.252.0.
    terraform: { required_providers: { alicloud: { source: 'aliyun/alicloud', version: '>= 1.252.0' } } },
    provider: { alicloud: { region: input.region } },
    resource: {
      alicloud_ram_role: {
        [TERRAFORM_RESOURCE_NAME]: {
          role_name: roleName,
          description: 'Assumed by Tether with an External ID.',
          assume_role_policy_document: terraformPolicyString(renderAliyunTrustPolicy(input)),
        },
      },
      ...(permissionPolicy.Statement.length > 0
        ? {
            alicloud_ram_policy: {
              [TERRAFORM_RESOURCE_NAME]: { policy_name: permissionPolicyName(roleName), description: 'What Tether may do through the role.', policy_document: terraformPolicyString(permissionPolicy) },
            },
            alicloud_ram_role_policy_attachment: {
              [TERRAFORM_RESOURCE_NAME]: { role_name: ref(`${role}.role_name`), policy_name: ref(`${policy}.policy_name`), policy_type: 'Custom' },
            },
          }
        : {}),
    },
    output: { role_arn: { description: 'Give this ARN to Tether as the connection roleArn.', value: ref(`${role}.arn`) } },
  };
}

function renderTencentTerraform(input: PolicyInput): Record<string, unknown> {
  const { roleName, accountId } = input.role;
  const permissionPolicy = renderTencentPermissionPolicy(input);
  const role = `tencentcloud_cam_role.${TERRAFORM_RESOURCE_NAME}`;
  const policy = `tencentcloud_cam_policy.${TERRAFORM_RESOURCE_NAME}`;
  return {
    terraform: { required_providers: { tencentcloud: { source: 'tencentcloudstack/tencentcloud' } } },
    provider: { tencentcloud: { region: input.region } },
    resource: {
      tencentcloud_cam_role: {
        [TERRAFORM_RESOURCE_NAME]: { name: roleName, description: 'Assumed by Tether with an External ID.', document: terraformPolicyString(renderTencentTrustPolicy(input)) },
      },
      ...(permissionPolicy.statement.length > 0
        ? {
            tencentcloud_cam_policy: {
              [TERRAFORM_RESOURCE_NAME]: { name: permissionPolicyName(roleName), description: 'What Tether may do through the role.', document: terraformPolicyString(permissionPolicy) },
            },
            tencentcloud_cam_role_policy_attachment: {
              [TERRAFORM_RESOURCE_NAME]: { role_id: ref(`${role}.id`), policy_id: ref(`${policy}.id`) },
            },
          }
        : {}),
    },
    // tencentcloud_cam_role exports the role id, not an ARN; the ARN follows from the account and name.
    output: { role_arn: { description: 'Give this ARN to Tether as the connection roleArn.', value: escapeTemplate(`qcs::cam::uin/${accountId}:roleName/${roleName}`) } },
  };
}
