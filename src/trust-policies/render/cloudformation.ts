import { renderAwsPermissionPolicy, renderAwsTrustPolicy } from './aws';
import { permissionPolicyName, type PolicyInput } from './policy-input';

/** The logical id of the role in the template. */
export const CLOUDFORMATION_ROLE_ID = 'TetherRole';

/**
 * A CloudFormation template creating the role with the trust policy and the permission policy
 * inline, so the documents are exactly those `renderAwsTrustPolicy`/`renderAwsPermissionPolicy` show.
 * Naming the role needs CAPABILITY_NAMED_IAM when the stack is created.
 */
export function renderCloudFormationTemplate(input: PolicyInput): Record<string, unknown> {
  const { roleName } = input.role;
  const permissionPolicy = renderAwsPermissionPolicy(input);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `IAM role ${roleName} that Tether assumes with its External ID.`,
    Resources: {
      [CLOUDFORMATION_ROLE_ID]: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: roleName,
          Description: 'Assumed by Tether with an External ID.',
          AssumeRolePolicyDocument: renderAwsTrustPolicy(input),
          // IAM refuses a policy without statements, so a connection that needs none gets no inline policy.
          ...(permissionPolicy.Statement.length > 0 ? { Policies: [{ PolicyName: permissionPolicyName(roleName), PolicyDocument: permissionPolicy }] } : {}),
        },
      },
    },
    Outputs: {
      RoleArn: { Description: 'Give this ARN to Tether as the connection roleArn.', Value: { 'Fn::GetAtt': [CLOUDFORMATION_ROLE_ID, 'Arn'] } },
    },
  };
}
