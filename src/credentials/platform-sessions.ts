import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { CloudProvider, sessionName } from '../cloud-identifiers';
import { LOGGER } from '../common/logging/logger.token';
import { TetherError } from '../common/problem/tether-error';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { CallerCredentials, IssuedCredentials, ProviderRegistry } from '../providers';
import { isProviderError } from '../providers/provider-error';
import { platformPrincipal } from '../trust-policies/platform-principal';
import { Clock, CredentialCache } from './credential-cache';
import { problemExtras, retryAfterHeaders } from '../providers/problem-extras';

/** AWS caps a session assumed by another role session (role chaining) at one hour. */
export const CHAINED_MAX_SECONDS = 3600;

/** The platform role's own sessions: an hour, the most a chained session may last anyway. */
const JUMP_DURATION_SECONDS = 3600;

const AWS_ROLE = /^arn:[\w-]+:iam::\d{12}:role\//;

/**
 * Who calls AssumeRole on the platform's behalf. Usually the ambient identity itself. When the
 * principal customers trust (TETHER_AWS_PRINCIPAL_ARN) is an IAM role, Tether first assumes that
 * role from the ambient identity (the jump hop, no External ID: it is the platform's own role in
 * its own account) and calls the customer's role with those keys. The jump sessions are cached
 * like customers' credentials: single flight, refreshed ahead of expiry, kept while STS fails,
 * never used below the floor. Each replica holds its own (one AssumeRole per replica per
 * lifetime in the platform's account); the customer role's credentials are shared fleet-wide.
 */
@Injectable()
export class PlatformSessions {
  readonly cache = new CredentialCache<IssuedCredentials>();
  private readonly log: Logger;

  constructor(
    @Inject(ProviderRegistry) private readonly providers: ProviderRegistry,
    @Inject(TETHER_CONFIG) private readonly config: TetherConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'platform-sessions' });
  }

  /** Test hook: the clock refresh decisions are made with. */
  useClock(clock: Clock): void {
    this.cache.useClock(clock);
  }

  /** The platform role to assume first, when the principal for this cloud and region is an IAM role. */
  jumpRoleFor(provider: CloudProvider, region: string): string | undefined {
    if (provider !== 'aws') return undefined;
    const principal = platformPrincipal(this.config.principals, provider, region);
    return principal.ok && AWS_ROLE.test(principal.value) ? principal.value : undefined;
  }

  /** Whether the AssumeRole into a customer's role is role chaining (its caller is the jump role's session), capped at one hour. */
  chains(provider: CloudProvider, region: string): boolean {
    return this.jumpRoleFor(provider, region) !== undefined;
  }

  /** The caller for an AssumeRole into a customer's role in this cloud and region. */
  async callerFor(provider: CloudProvider, region: string): Promise<CallerCredentials> {
    const roleArn = this.jumpRoleFor(provider, region);
    if (!roleArn) return 'ambient';
    const result = await this.cache.get(roleArn, 'platform', async () => {
      const issued = await this.assumePlatformRole(roleArn, region);
      this.cache.counters.stsCalls += 1;
      return { value: issued, issuedAt: this.cache.now(), expiresAt: issued.expiration.getTime(), stamp: 'platform' };
    });
    return result.value;
  }

  private async assumePlatformRole(roleArn: string, region: string): Promise<IssuedCredentials> {
    try {
      const issued = await this.providers.get('aws').assumeRole({
        region,
        roleArn,
        sessionName: sessionName(['tether', 'platform'], 'aws'),
        durationSeconds: JUMP_DURATION_SECONDS,
        caller: 'ambient',
      });
      this.log.info({ roleArn, expiration: issued.expiration.toISOString() }, 'platform role assumed');
      return issued;
    } catch (error) {
      if (!isProviderError(error)) throw error;
      const extras = problemExtras(error);
      if (error.kind === 'throttled') {
        const headers = retryAfterHeaders(error);
        throw new TetherError('cloud-throttled', `Assuming the platform role ${roleArn} was throttled (${error.message}); try again.`, { ...extras, headers });
      }
      if (error.kind === 'unavailable') throw new TetherError('cloud-unavailable', `Assuming the platform role ${roleArn} failed (${error.message}); try again.`, extras);
      // Not the customer's doing: the operator's own role or identity is misconfigured.
      throw new TetherError(
        'platform-identity-failed',
        `Tether could not assume its platform role ${roleArn} from the identity it runs as (${error.message}). The operator must let that identity assume the role: the role's trust policy names it and its identity policy allows sts:AssumeRole on the role.`,
        extras,
      );
    }
  }
}
