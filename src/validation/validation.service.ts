import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthContext } from '../auth/auth-context';
import { sessionName } from '../cloud-identifiers';
import { TetherError } from '../common/problem/tether-error';
import { ConnectionChanges } from '../connections/connection-changes';
import { ConnectionEntity, ValidationCheck, ValidationStatus } from '../connections/connection.entity';
import { roleOf } from '../connections/connection-rules';
import { assumesRole, ConnectionsService } from '../connections/connections.service';
import { ConnectionCredentials } from '../credentials/connection-credentials';
import { PlatformSessions } from '../credentials/platform-sessions';
import { CloudCredentials, CloudFunctionProvider, isProviderError, ProviderRegistry } from '../providers';
import { validations } from '../metrics/metrics';
import { CHECKS, explain } from './check-sentences';

/** Validation asks for the shortest session STS allows: the credentials are thrown away. */
const PROBE_DURATION_SECONDS = 900;

export interface ValidationResult {
  status: ValidationStatus;
  checkedAt: string;
  checks: ValidationCheck[];
}

interface ChecksOutcome {
  checks: ValidationCheck[];
  /** The role trusts callers without the External ID (the confused deputy). */
  insecure: boolean;
  /** During an overlapping rotation: the role can be assumed with the next External ID too. */
  nextExternalIdWorks: boolean;
}

const ok = (name: string, detail: string): ValidationCheck => ({ name, status: 'ok', detail });
const failed = (name: string, detail: string): ValidationCheck => ({ name, status: 'failed', detail });
const skipped = (name: string, detail: string): ValidationCheck => ({ name, status: 'skipped', detail });

/**
 * Runs the named checks against the cloud and keeps the result on the connection. Credentials
 * obtained here are used for the probes and dropped: nothing from a validation run is cached.
 */
@Injectable()
export class ValidationService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ConnectionsService) private readonly connections: ConnectionsService,
    @Inject(ConnectionCredentials) private readonly credentials: ConnectionCredentials,
    @Inject(ProviderRegistry) private readonly providers: ProviderRegistry,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(ConnectionChanges) private readonly changes: ConnectionChanges,
    @Inject(PlatformSessions) private readonly platform: PlatformSessions,
  ) {}

  async validate(auth: AuthContext, idOrName: string): Promise<ValidationResult> {
    return this.validateConnection(auth, await this.connections.get(auth, idOrName), 'request');
  }

  /** Runs the checks and stores the outcome; `trigger` tells a user's request from the posture sweep. */
  async validateConnection(auth: AuthContext, connection: ConnectionEntity, trigger: 'request' | 'posture'): Promise<ValidationResult> {
    // The cloud is called outside any transaction: a slow cloud must not hold a database connection.
    const { checks, insecure, nextExternalIdWorks } = await this.runChecks(connection);
    const status = statusOf(checks, insecure);
    const checkedAt = new Date();
    const detail = { name: connection.name, status, trigger, failed: checks.filter((c) => c.status === 'failed').map((c) => c.name) };
    await this.audit.mutate(auth, { action: 'connection.validate', targetType: 'connection', targetId: connection.id, connectionId: connection.id, detail }, async (manager) => {
      const updated = await manager
        .getRepository(ConnectionEntity)
        .createQueryBuilder()
        .update()
        .set({ validationStatus: status, validationCheckedAt: checkedAt, validationChecks: checks })
        .where('id = :id AND version = :version', { id: connection.id, version: connection.version })
        .execute();
      if (updated.affected === 0) {
        throw new TetherError('conflict', `Connection '${connection.name}' changed or was deleted while it was being validated; validate it again.`);
      }
      if (nextExternalIdWorks && status === 'valid') await this.connections.promoteNextExternalId(manager, auth, connection);
    });
    validations.inc({ status, trigger });
    // An insecure connection must stop getting credentials at once; a fixed one may get them again.
    this.changes.changed(connection.id);
    return { status, checkedAt: checkedAt.toISOString(), checks };
  }

  async runChecks(connection: ConnectionEntity): Promise<ChecksOutcome> {
    const provider = this.providers.get(connection.provider);
    if (assumesRole(connection)) return this.roleChecks(provider, connection);
    if (connection.authType === 'access_key') {
      const keys = await this.credentials.keysOf(connection);
      const checks = [
        skipped(CHECKS.assumeRole, 'This connection uses access keys, not a role.'),
        skipped(CHECKS.externalIdRequired, 'This connection uses access keys, not a role; nothing can be assumed without an External ID.'),
        ...(await this.identityAndProbes(provider, connection, keys, undefined)),
      ];
      return { checks, insecure: false, nextExternalIdWorks: false };
    }
    const checks = [
      skipped(CHECKS.assumeRole, 'This connection uses the platform\'s own identity without a role.'),
      skipped(CHECKS.externalIdRequired, 'This connection uses the platform\'s own identity without a role.'),
      await this.callerIdentityCheck(provider, connection, 'ambient', undefined),
      skipped(CHECKS.codeBucket, 'Probes with the platform\'s own identity are not run.'),
      skipped(CHECKS.functionAccess, 'Probes with the platform\'s own identity are not run.'),
    ];
    return { checks, insecure: false, nextExternalIdWorks: false };
  }

  private async roleChecks(provider: CloudFunctionProvider, connection: ConnectionEntity): Promise<ChecksOutcome> {
    const role = roleOf(connection.provider, connection.roleArn as string);
    // As the principal the customer trusts: through the platform role when that is a role, so the
    // confused-deputy attempts below are made by the identity the trust policy names.
    const assume = async (externalId: string | undefined) =>
      provider.assumeRole({
        region: connection.region,
        roleArn: connection.roleArn as string,
        externalId,
        sessionName: sessionName(['tether-validate', connection.name], connection.provider),
        durationSeconds: PROBE_DURATION_SECONDS,
        caller: await this.platform.callerFor(connection.provider, connection.region),
      });

    const checks: ValidationCheck[] = [];
    let credentials: CloudCredentials | undefined;
    let nextExternalIdWorks = false;
    try {
      credentials = await assume(connection.externalId ?? undefined);
      let detail = `Assumed ${connection.roleArn} with the connection's External ID.`;
      if (connection.nextExternalId) {
        nextExternalIdWorks = await assume(connection.nextExternalId).then(
          () => true,
          () => false,
        );
        detail += nextExternalIdWorks
          ? ' The next External ID works too; it replaces the current one once every check passes.'
          : ' The next External ID of the rotation does not work yet: update the trust policy from GET /connections/:id/trust-policy.';
      }
      checks.push(ok(CHECKS.assumeRole, detail));
    } catch (error) {
      checks.push(failed(CHECKS.assumeRole, explain(error, `Assuming ${connection.roleArn} with the External ID`)));
    }
    const deputy = await this.externalIdRequiredCheck(connection, assume);
    checks.push(deputy.check);
    if (!credentials) {
      const why = 'Skipped: the role could not be assumed.';
      checks.push(skipped(CHECKS.callerIdentity, why), skipped(CHECKS.codeBucket, why), skipped(CHECKS.functionAccess, why));
    } else {
      checks.push(...(await this.identityAndProbes(provider, connection, credentials, role.accountId)));
    }
    return { checks, insecure: deputy.insecure, nextExternalIdWorks };
  }

  /**
   * The confused-deputy check: with no External ID, and with a wrong one, the role must refuse.
   * If either works, anyone who learns the role ARN can have the platform act in this account.
   */
  private async externalIdRequiredCheck(connection: ConnectionEntity, assume: (externalId: string | undefined) => Promise<unknown>): Promise<{ check: ValidationCheck; insecure: boolean }> {
    const attempts: [string, string | undefined][] = [
      ['without an External ID', undefined],
      ['with a wrong External ID', `tether-wrong-${randomBytes(12).toString('hex')}`],
    ];
    for (const [how, externalId] of attempts) {
      try {
        await assume(externalId);
        const detail = `Insecure: the role can be assumed ${how}. Anyone who knows the role ARN could make the platform act in this account (the confused deputy). Add the External ID condition (${connection.externalId}) to the role's trust policy as GET /connections/:id/trust-policy shows, and validate again.`;
        return { check: failed(CHECKS.externalIdRequired, detail), insecure: true };
      } catch (error) {
        if (!isProviderError(error) || (error.kind !== 'access_denied' && error.kind !== 'not_found')) {
          return { check: failed(CHECKS.externalIdRequired, explain(error, `Checking that the role refuses callers ${how}`)), insecure: false };
        }
      }
    }
    return { check: ok(CHECKS.externalIdRequired, 'The role refuses callers without the External ID and with a wrong one.'), insecure: false };
  }

  private async identityAndProbes(provider: CloudFunctionProvider, connection: ConnectionEntity, credentials: CloudCredentials, expectedAccount: string | undefined): Promise<ValidationCheck[]> {
    const checks = [await this.callerIdentityCheck(provider, connection, credentials, expectedAccount)];
    if (connection.functions.codeBucket) {
      const probe = await provider.probeBucket(connection.region, credentials, connection.functions.codeBucket);
      if (probe.ok) checks.push(ok(CHECKS.codeBucket, probe.detail));
      // A provider that cannot probe a bucket says so (unsupported) rather than fail a connection that may be fine.
      else if (probe.error?.kind === 'unsupported') checks.push(skipped(CHECKS.codeBucket, probe.detail));
      else checks.push(failed(CHECKS.codeBucket, probe.error ? explain(probe.error, `Listing bucket ${connection.functions.codeBucket}`) : probe.detail));
    } else {
      checks.push(skipped(CHECKS.codeBucket, 'No code bucket is set on the connection.'));
    }
    const functions = await provider.probeFunctions(connection.region, credentials, connection.functions.namespace);
    checks.push(functions.ok ? ok(CHECKS.functionAccess, functions.detail) : failed(CHECKS.functionAccess, functions.error ? explain(functions.error, `Listing functions in ${connection.region}`) : functions.detail));
    return checks;
  }

  private async callerIdentityCheck(provider: CloudFunctionProvider, connection: ConnectionEntity, credentials: CloudCredentials | 'ambient', expectedAccount: string | undefined): Promise<ValidationCheck> {
    try {
      const identity = await provider.callerIdentity(connection.region, credentials);
      if (expectedAccount && identity.accountId !== expectedAccount) {
        return failed(CHECKS.callerIdentity, `The credentials belong to account ${identity.accountId}, not to the role's account ${expectedAccount}.`);
      }
      return ok(CHECKS.callerIdentity, `The credentials are ${identity.arn} in account ${identity.accountId}.`);
    } catch (error) {
      return failed(CHECKS.callerIdentity, explain(error, 'Asking the cloud who the credentials belong to'));
    }
  }
}

/** insecure beats invalid beats valid: a role that trusts anyone is the worst news. */
export function statusOf(checks: readonly ValidationCheck[], insecure: boolean): ValidationStatus {
  if (insecure) return 'insecure';
  return checks.some((c) => c.status === 'failed') ? 'invalid' : 'valid';
}
