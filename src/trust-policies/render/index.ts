import type { CloudProvider } from '../../cloud-identifiers';
import { type RamPolicyDocument, renderAliyunInstallSteps, renderAliyunPermissionPolicy, renderAliyunRevokeDenyPolicy, renderAliyunTrustPolicy } from './aliyun';
import { type IamPolicyDocument, renderAwsInstallSteps, renderAwsPermissionPolicy, renderAwsRevokeDenyPolicy, renderAwsTrustPolicy } from './aws';
import type { PolicyInput } from './policy-input';
import type { RevokeDenyPolicy } from './revoke';
import { type CamPolicyDocument, renderTencentInstallSteps, renderTencentPermissionPolicy, renderTencentRevokeDenyPolicy, renderTencentTrustPolicy } from './tencent';

export * from './policy-input';
export * from './revoke';
export * from './aws';
export * from './aliyun';
export * from './tencent';
export * from './cloudformation';
export * from './terraform';
export * from './onboarding';

/** A policy document in one cloud's own language. */
export type PolicyDocument = IamPolicyDocument | RamPolicyDocument | CamPolicyDocument;

interface PolicyRenderer {
  trustPolicy(input: PolicyInput): PolicyDocument;
  permissionPolicy(input: PolicyInput): PolicyDocument;
  installSteps(input: PolicyInput, roleName: string): string[];
  revokeDenyPolicy(input: PolicyInput, revokedAt: Date): RevokeDenyPolicy;
}

const RENDERERS: Record<CloudProvider, PolicyRenderer> = {
  aws: { trustPolicy: renderAwsTrustPolicy, permissionPolicy: renderAwsPermissionPolicy, installSteps: renderAwsInstallSteps, revokeDenyPolicy: renderAwsRevokeDenyPolicy },
  aliyun: { trustPolicy: renderAliyunTrustPolicy, permissionPolicy: renderAliyunPermissionPolicy, installSteps: renderAliyunInstallSteps, revokeDenyPolicy: renderAliyunRevokeDenyPolicy },
  tencent: { trustPolicy: renderTencentTrustPolicy, permissionPolicy: renderTencentPermissionPolicy, installSteps: renderTencentInstallSteps, revokeDenyPolicy: renderTencentRevokeDenyPolicy },
};

/** The trust policy allowing the platform principal to assume the role only with the External ID(s). */
export function renderTrustPolicy(input: PolicyInput): PolicyDocument {
  return RENDERERS[input.provider].trustPolicy(input);
}

/** The least-privilege permission policy for the connection's capabilities; see `missingPolicyInputs` for what it had to leave out. */
export function renderPermissionPolicy(input: PolicyInput): PolicyDocument {
  return RENDERERS[input.provider].permissionPolicy(input);
}

/** Human steps, with CLI commands, to install both policies; the documents are referred to by file name. */
export function renderInstallSteps(input: PolicyInput, roleName: string = input.role.roleName): string[] {
  return RENDERERS[input.provider].installSteps(input, roleName);
}

/** The break-glass policy denying sessions issued before `revokedAt`, where the cloud can express it. */
export function renderRevokeDenyPolicy(input: PolicyInput, revokedAt: Date): RevokeDenyPolicy {
  return RENDERERS[input.provider].revokeDenyPolicy(input, revokedAt);
}
