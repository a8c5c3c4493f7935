import { Inject, Injectable } from '@nestjs/common';
import { AuthContext } from '../auth/auth-context';
import { TetherError } from '../common/problem/tether-error';
import { assumesRole, ConnectionsService } from '../connections/connections.service';
import { RevokeResponse, TrustPolicyResponse } from './dto/trust-policy.dto';
import { policyInputOf } from './policy-input-of';
import { ConnectionEntity } from '../connections/connection.entity';
import {
  missingPolicyInputs,
  OnboardingDocument,
  OnboardingFormat,
  PolicyInput,
  renderInstallSteps,
  renderOnboarding,
  renderPermissionPolicy,
  renderRevokeDenyPolicy,
  renderTrustPolicy,
  supportsOnboardingFormat,
} from './render';

@Injectable()
export class TrustPoliciesService {
  constructor(@Inject(ConnectionsService) private readonly connections: ConnectionsService) {}

  /**
   * Break glass: a new External ID at once (sessions can no longer be started with the old one),
   * every cached credential of the connection dropped (the version bump tells other replicas), and
   * the policy the customer attaches to deny sessions issued before now.
   */
  async revoke(auth: AuthContext, idOrName: string): Promise<RevokeResponse> {
    const revokedAt = new Date();
    const connection = await this.connections.rotateExternalId(auth, idOrName, 'immediate', 'connection.revoke');
    const principal = this.connections.principalFor(connection.provider, connection.region);
    const deny = renderRevokeDenyPolicy(policyInputOf(connection, principal), revokedAt);
    return { revokedAt: revokedAt.toISOString(), externalId: connection.externalId as string, denyPolicy: deny };
  }

  /** A ready template (CloudFormation or Terraform) that creates the role with both policies. */
  async onboarding(auth: AuthContext, idOrName: string, format: OnboardingFormat): Promise<OnboardingDocument> {
    const { row, input } = await this.inputFor(auth, idOrName);
    if (!supportsOnboardingFormat(row.provider, format)) {
      throw TetherError.field('format', `CloudFormation templates exist for AWS only; use format=terraform for ${row.provider}`);
    }
    return renderOnboarding(input, format);
  }

  private async inputFor(auth: AuthContext, idOrName: string): Promise<{ row: ConnectionEntity; principal: string; input: PolicyInput }> {
    const row = await this.connections.get(auth, idOrName);
    if (!assumesRole(row)) {
      throw new TetherError(
        'not-applicable',
        `Connection '${row.name}' uses ${row.authType} without a role, so there is no trust policy to install; use assume_role so the customer never hands over keys.`,
      );
    }
    const principal = this.connections.principalFor(row.provider, row.region);
    return { row, principal, input: policyInputOf(row, principal) };
  }

  /** What the customer installs: rendered from the same External ID Tether sends, so the two cannot drift. */
  async render(auth: AuthContext, idOrName: string): Promise<TrustPolicyResponse> {
    const { row, principal, input } = await this.inputFor(auth, idOrName);
    return {
      provider: row.provider,
      principal,
      externalId: row.externalId as string,
      ...(row.nextExternalId ? { nextExternalId: row.nextExternalId } : {}),
      trustPolicy: renderTrustPolicy(input),
      permissionPolicy: renderPermissionPolicy(input),
      steps: renderInstallSteps(input),
      warnings: missingPolicyInputs(input),
    };
  }
}
