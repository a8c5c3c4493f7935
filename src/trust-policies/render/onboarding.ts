import type { CloudProvider } from '../../cloud-identifiers';
import { renderCloudFormationTemplate } from './cloudformation';
import type { PolicyInput } from './policy-input';
import { renderTerraform } from './terraform';

/** The onboarding template formats `GET /connections/:id/onboarding` offers. */
export type OnboardingFormat = 'cloudformation' | 'terraform';

/** A template ready to download. */
export interface OnboardingDocument {
  format: OnboardingFormat;
  fileName: string;
  content: string;
  contentType: string;
}

/** CloudFormation is AWS's own; Terraform covers all three clouds. */
export function supportsOnboardingFormat(provider: CloudProvider, format: OnboardingFormat): boolean {
  return format === 'terraform' || provider === 'aws';
}

/**
 * Renders the template that creates the role with both policies. Throws a RangeError for
 * CloudFormation outside AWS: check {@link supportsOnboardingFormat} first and answer 4xx.
 */
export function renderOnboarding(input: PolicyInput, format: OnboardingFormat): OnboardingDocument {
  if (!supportsOnboardingFormat(input.provider, format)) {
    throw new RangeError(`CloudFormation templates exist for AWS only; use the Terraform template for ${input.provider}.`);
  }
  const baseName = `tether-${input.role.roleName.replace(/[^A-Za-z0-9._-]+/g, '-')}`;
  const template = format === 'cloudformation' ? renderCloudFormationTemplate(input) : renderTerraform(input);
  return {
    format,
    fileName: format === 'cloudformation' ? `${baseName}.cloudformation.json` : `${baseName}.tf.json`,
    content: `${JSON.stringify(template, null, 2)}\n`,
    contentType: 'application/json',
  };
}
