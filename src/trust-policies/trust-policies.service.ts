import { Inject, Injectable } from '@nestjs/common';
import { AuthContext } from '../auth/auth-context';
import { TetherError } from '../common/problem/tether-error';
import { assumesRole, ConnectionsService } from '../connections/connections.service';
import { TrustPolicyResponse } from './dto/trust-policy.dto';
import { policyInputOf } from './policy-input-of';
import { missingPolicyInputs, renderInstallSteps, renderPermissionPolicy, renderTrustPolicy } from './render';

@Injectable()
export class TrustPoliciesService {
  constructor(@Inject(ConnectionsService) private readonly connections: ConnectionsService) {}

  /** What the customer installs: rendered from the same External ID Tether sends, so the two cannot drift. */
  async render(auth: AuthContext, idOrName: string): Promise<TrustPolicyResponse> {
    const row = await this.connections.get(auth, idOrName);
    if (!assumesRole(row)) {
      throw new TetherError(
        'not-applicable',
        `Connection '${row.name}' uses ${row.authType} without a role, so there is no trust policy to install; use assume_role so the customer never hands over keys.`,
      );
    }
    const principal = this.connections.principalFor(row.provider, row.region);
    const input = policyInputOf(row, principal);
    return {
      provider: row.provider,
      principal,
      externalId: row.externalId as string,
      trustPolicy: renderTrustPolicy(input),
      permissionPolicy: renderPermissionPolicy(input),
      steps: renderInstallSteps(input),
      warnings: missingPolicyInputs(input),
    };
  }
}
