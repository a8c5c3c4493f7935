import { createHash } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthContext } from '../auth/auth-context';
import { registerCredentialCache } from '../metrics/metrics';
import { LOGGER } from '../common/logging/logger.token';
import { Sensitive } from '../common/logging/sensitive';
import { TetherError } from '../common/problem/tether-error';
import { andThen, onFailure, PromiseOrValue } from '../common/promise-or-value';
import { ConnectionChanges } from '../connections/connection-changes';
import { refuseInsecure } from '../connections/connection-use';
import { ConnectionEntity } from '../connections/connection.entity';
import { assumesRole } from '../connections/connections.service';
import { CloudCredentials, IssuedCredentials, ProviderRegistry } from '../providers';
import { isProviderError } from '../providers/provider-error';
import { Keyring } from '../secrets/keyring';
import { ConnectionCredentials, CredentialRequest, DEFAULT_DURATION_SECONDS, Provenance, roleSessionName } from './connection-credentials';
import { ConnectionSnapshots } from './connection-snapshots';
import { CHAINED_MAX_SECONDS, PlatformSessions } from './platform-sessions';
import { CacheResult, Clock, CredentialCache, Loaded } from './credential-cache';
import { problemExtras, retryAfterHeaders } from '../providers/problem-extras';

/**
 * Durations are rounded down to these classes, so callers asking for 1000 s and 1200 s share one
 * cache entry (and one STS call) instead of each minting their own.
 */
export const DURATION_CLASSES = [900, 1800, 3600, 7200, 14400, 43200] as const;

/** One answer of the broker, with what the HTTP layer reports beside the keys. */
export interface BrokeredCredentials {
  credentials: IssuedCredentials;
  /** The connection they are for, as the broker read it (provider and region are reported). */
  connection: ConnectionEntity;
  /** From memory or from the fleet's shared table, i.e. no STS call for this request. */
  cached: boolean;
  durationSeconds: number;
  /** Set when durationSeconds is lower than asked because of a hard limit (role chaining). */
  durationCappedReason?: string;
  notes: string[];
}

/** What the cache keeps: the cloud's credentials, and whether the role refused the provenance tags. */
type MintedCredentials = IssuedCredentials & { sessionTagsRefused?: boolean };

interface Plan {
  key: string;
  durationSeconds: number;
  durationCappedReason?: string;
  provenance?: Provenance;
  sessionPolicy?: object;
  policyHash: string | null;
  notes: string[];
}

interface LeaseRow {
  stamp: string;
  key_id: string;
  sealed: Buffer;
  issued_at: Date;
  expires_at: Date;
}

/**
 * Short-lived credentials for connections: cached per (connection, duration class, session-policy
 * hash) in process, and shared across the fleet through `credential_leases` (sealed with the
 * keyring) under a PostgreSQL advisory lock per key, so the fleet makes one STS call per key per
 * lifetime.
 */
@Injectable()
export class CredentialBroker implements OnModuleInit, OnModuleDestroy {
  readonly cache = new CredentialCache<MintedCredentials>();
  private readonly auditKeys = new WeakMap<IssuedCredentials, Map<string, string>>();
  private readonly log: Logger;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ConnectionSnapshots) private readonly snapshots: ConnectionSnapshots,
    @Inject(PlatformSessions) private readonly platform: PlatformSessions,
    @Inject(ConnectionCredentials) private readonly source: ConnectionCredentials,
    @Inject(ProviderRegistry) private readonly providers: ProviderRegistry,
    @Inject(Keyring) private readonly keyring: Keyring,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(ConnectionChanges) private readonly changes: ConnectionChanges,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'credential-broker' });
  }

  onModuleInit(): void {
    const unsubscribe = this.changes.onChange((connectionId) => void this.drop(connectionId));
    const unregister = registerCredentialCache(this.cache);
    this.unsubscribe = () => {
      unsubscribe();
      unregister();
    };
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Test hook: the clock refresh decisions (and the connection snapshots' lifetime) are measured with. */
  useClock(clock: Clock): void {
    this.cache.useClock(clock);
    this.snapshots.useClock(clock);
    this.platform.useClock(clock);
  }

  /**
   * Cached credentials for internal callers (function invocation). Refuses connections that can
   * be assumed without their External ID (409 connection-insecure).
   */
  async credentialsFor(connection: ConnectionEntity, request?: CredentialRequest): Promise<CloudCredentials> {
    return (await this.resolve(connection, request ?? {})).credentials;
  }

  /**
   * POST /connections/:id/credentials: resolves the connection for the caller, issues, audits. A
   * cache hit reads no row and is answered at once: the snapshot and the credentials both come
   * from memory.
   */
  issue(auth: AuthContext, idOrName: string, request: CredentialRequest): PromiseOrValue<BrokeredCredentials> {
    return andThen(this.snapshots.lookup(auth, idOrName), ({ connection, stamp }) => {
      const target = { action: 'credentials.issue', targetType: 'connection', targetId: connection.id, connectionId: connection.id };
      return onFailure(
        () => {
          const provenance = auth.provenance ? { workspace: auth.provenance.workspaceName, connection: connection.name, token: auth.tokenName, tokenId: auth.tokenId } : undefined;
          return andThen(this.resolve(connection, provenance ? { ...request, provenance } : request, stamp), (result) => {
            const sessionPolicy = request.sessionPolicy !== undefined;
            // Repeated hits of one caller for the same credentials are one event with a count; every mint is its own.
            const coalesceKey = result.cached ? this.coalesceKeyOf(result, auth, connection, sessionPolicy) : undefined;
            if (coalesceKey === undefined || !this.audit.countRepeat(coalesceKey)) {
              const detail = {
                name: connection.name,
                expiration: result.credentials.expiration.toISOString(),
                durationSeconds: result.durationSeconds,
                cacheHit: result.cached,
                sessionPolicy,
                // What the customer's CloudTrail / ActionTrail / CloudAudit shows for this caller's sessions.
                ...(provenance && assumesRole(connection) ? { sessionName: roleSessionName(connection, provenance) } : {}),
              };
              this.audit.recordSoon(auth, { ...target, detail }, 'success', { coalesceKey });
            }
            return result;
          });
        },
        (error) => {
          this.audit.recordSoon(auth, { ...target, detail: { name: connection.name, error: error instanceof TetherError ? error.code : 'internal' } }, 'failure');
          throw error;
        },
      );
    });
  }

  /**
   * The key identical hits share one audit event under: per cached credentials (which fix the
   * duration class, the session policy and the expiration) and caller. Built once and reused, so a
   * hit neither builds nor hashes a new string.
   */
  private coalesceKeyOf(result: BrokeredCredentials, auth: AuthContext, connection: ConnectionEntity, sessionPolicy: boolean): string {
    let byToken = this.auditKeys.get(result.credentials);
    if (!byToken) this.auditKeys.set(result.credentials, (byToken = new Map()));
    let key = byToken.get(auth.tokenId);
    if (key === undefined) {
      key = `credentials.issue|${auth.tokenId}|${connection.id}|${result.durationSeconds}|${sessionPolicy}|${result.credentials.expiration.getTime()}`;
      byToken.set(auth.tokenId, key);
    }
    return key;
  }

  /** The cache pipeline: plan the key, check the stamp, single-flight load through the shared table. At once on a hit. */
  resolve(connection: ConnectionEntity, request: CredentialRequest, knownStamp?: string): PromiseOrValue<BrokeredCredentials> {
    refuseInsecure(connection);
    if (!assumesRole(connection) && connection.authType !== 'access_key') {
      throw new TetherError('not-applicable', `Connection '${connection.name}' uses the platform's own identity without a role; Tether does not hand out its own identity.`);
    }
    const plan = this.plan(connection, request);
    return andThen(knownStamp ?? this.snapshots.stampOf(connection), (stamp) =>
      andThen(this.cache.get(plan.key, stamp, () => this.loadShared(connection, plan, stamp)), (result) => this.brokered(connection, plan, result)),
    );
  }

  private brokered(connection: ConnectionEntity, plan: Plan, result: CacheResult<MintedCredentials>): BrokeredCredentials {
    // The plan is this request's own, so its notes are added to in place.
    const { notes } = plan;
    if (result.value.sessionTagsRefused) {
      notes.push(`Session tags were not sent: the role's trust policy does not allow sts:TagSession for the platform principal, so only the session name names this caller. Install the trust policy GET /connections/${connection.id}/trust-policy renders to have the tags in CloudTrail.`);
    }
    if (result.degraded) {
      notes.push(`Refreshing these credentials failed (${result.degraded}); they stay valid until ${new Date(result.expiresAt).toISOString()} and the refresh is retried.`);
    }
    // A load that found the fleet's row made no STS call either.
    const brokered: BrokeredCredentials = { credentials: result.value, connection, cached: !result.minted, durationSeconds: plan.durationSeconds, notes };
    if (plan.durationCappedReason) brokered.durationCappedReason = plan.durationCappedReason;
    return brokered;
  }

  private plan(connection: ConnectionEntity, request: CredentialRequest): Plan {
    const notes: string[] = [];
    const requested = request.durationSeconds ?? DEFAULT_DURATION_SECONDS;
    let durationSeconds: number = DURATION_CLASSES[0];
    for (const cls of DURATION_CLASSES) if (cls <= requested) durationSeconds = cls;
    if (durationSeconds !== requested) notes.push(`durationSeconds ${requested} was rounded down to the duration class ${durationSeconds}.`);
    let durationCappedReason: string | undefined;
    if (durationSeconds > CHAINED_MAX_SECONDS && assumesRole(connection) && this.platform.chains(connection.provider, connection.region)) {
      durationCappedReason = `role-chaining: the platform principal is itself a role, so Tether assumes the customer's role from a role session, and AWS limits such chained sessions to ${CHAINED_MAX_SECONDS} seconds.`;
      durationSeconds = CHAINED_MAX_SECONDS;
    }
    const policyHash = request.sessionPolicy ? createHash('sha256').update(canonicalJson(request.sessionPolicy)).digest('hex').slice(0, 32) : null;
    if (connection.authType === 'access_key' && connection.provider === 'tencent' && !request.sessionPolicy) {
      throw TetherError.field('sessionPolicy', 'Tencent Cloud mints session credentials from access keys only with GetFederationToken, which requires a policy; pass the CAM policy the credentials need');
    }
    // Provenance sessions name their caller, so they cannot be shared: one key per token. Every
    // other caller keeps sharing one key, and one STS call, per connection and scope.
    const provenance = request.provenance;
    const plan: Plan = { key: `${connection.id}:${durationSeconds}:${policyHash ?? '-'}${provenance ? `:t${provenance.tokenId}` : ''}`, durationSeconds, policyHash, notes };
    if (provenance) plan.provenance = provenance;
    if (durationCappedReason) plan.durationCappedReason = durationCappedReason;
    if (request.sessionPolicy) plan.sessionPolicy = request.sessionPolicy;
    return plan;
  }

  /**
   * One process's miss: take the key's advisory lock, re-read the shared row, and call STS only
   * when it is missing, stale or due. Other replicas missing the same key wait on the lock, then read.
   */
  private async loadShared(connection: ConnectionEntity, plan: Plan, stamp: string): Promise<Loaded<MintedCredentials>> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`credentials:${plan.key}`]);
      const rows: LeaseRow[] = await manager.query('SELECT stamp, key_id, sealed, issued_at, expires_at FROM credential_leases WHERE cache_key = $1', [plan.key]);
      const row = rows[0];
      if (row && row.stamp === stamp) {
        const lease = { issuedAt: new Date(row.issued_at).getTime(), expiresAt: new Date(row.expires_at).getTime() };
        if (!this.cache.isDue(lease)) {
          const opened = this.openLease(connection.id, plan.key, row);
          if (opened) {
            this.cache.counters.sharedHits += 1;
            return { value: opened, ...lease, stamp, minted: false };
          }
        }
      }
      const started = Date.now();
      const issued = await this.mint(connection, plan, manager);
      this.cache.counters.stsCalls += 1;
      const issuedAt = this.cache.now();
      const { keyId, sealed } = this.keyring.seal(Buffer.from(JSON.stringify(toSealedForm(issued)), 'utf8'), leaseAssociatedData(connection.id, plan.key));
      await manager.query(
        `INSERT INTO credential_leases (cache_key, connection_id, stamp, key_id, sealed, issued_at, expires_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now())
         ON CONFLICT (cache_key) DO UPDATE SET connection_id = excluded.connection_id, stamp = excluded.stamp, key_id = excluded.key_id,
           sealed = excluded.sealed, issued_at = excluded.issued_at, expires_at = excluded.expires_at, updated_at = now()`,
        [plan.key, connection.id, stamp, keyId, sealed, new Date(issuedAt), issued.expiration],
      );
      this.log.info(
        { connectionId: connection.id, durationSeconds: plan.durationSeconds, sessionPolicy: plan.policyHash !== null, expiration: issued.expiration.toISOString(), durationMs: Date.now() - started },
        'credentials minted',
      );
      return { value: issued, issuedAt, expiresAt: issued.expiration.getTime(), stamp, minted: true };
    });
  }

  /** Calls the cloud: AssumeRole with the External ID, or session credentials from long-lived keys. */
  private async mint(connection: ConnectionEntity, plan: Plan, manager: EntityManager): Promise<MintedCredentials> {
    const scope = { durationSeconds: plan.durationSeconds, ...(plan.sessionPolicy ? { sessionPolicy: plan.sessionPolicy } : {}) };
    try {
      if (assumesRole(connection)) return await this.assume(connection, { ...scope, ...(plan.provenance ? { provenance: plan.provenance } : {}) }, manager);
      // Long-lived keys never leave Tether: they only mint session credentials.
      const keys = await this.source.keysOf(connection, manager);
      // The federated user's name is all a federation token carries (AWS, Tencent GetFederationToken).
      const name = plan.provenance ? `${plan.provenance.token}-${connection.name}` : `tether-${connection.name}`;
      return await this.providers.get(connection.provider).sessionCredentials(keys, { region: connection.region, ...scope, name });
    } catch (error) {
      throw credentialsProblem(error, connection);
    }
  }

  /**
   * AssumeRole with the External ID. With provenance on AWS the session is tagged; a role whose
   * trust policy predates sts:TagSession refuses that, and is asked once more without the tags
   * (the session name still names the caller), which the answer then says.
   */
  private async assume(connection: ConnectionEntity, request: CredentialRequest, manager: EntityManager): Promise<MintedCredentials> {
    try {
      return (await this.source.obtain(connection, request, manager)) as IssuedCredentials;
    } catch (error) {
      const tagged = request.provenance !== undefined && connection.provider === 'aws';
      if (!tagged || !isProviderError(error) || error.kind !== 'access_denied') throw error;
      const untagged = (await this.source.obtain(connection, request, manager, { sessionTags: false })) as IssuedCredentials;
      this.log.warn({ connectionId: connection.id }, 'the role refused provenance session tags (its trust policy lacks sts:TagSession); issued with the session name only');
      return { ...untagged, sessionTagsRefused: true };
    }
  }

  private openLease(connectionId: string, key: string, row: LeaseRow): MintedCredentials | undefined {
    try {
      const plain = JSON.parse(this.keyring.open({ keyId: row.key_id, sealed: Buffer.from(row.sealed) }, leaseAssociatedData(connectionId, key)).toString('utf8')) as SealedForm;
      return {
        accessKeyId: plain.accessKeyId,
        secretAccessKey: new Sensitive(plain.secretAccessKey),
        ...(plain.sessionToken !== undefined ? { sessionToken: new Sensitive(plain.sessionToken) } : {}),
        expiration: new Date(plain.expiration),
        ...(plain.assumedRoleArn ? { assumedRoleArn: plain.assumedRoleArn } : {}),
        ...(plain.sessionTagsRefused ? { sessionTagsRefused: true } : {}),
      };
    } catch (error) {
      // A key removed from TETHER_MASTER_KEYS or a tampered row: mint afresh rather than fail.
      this.log.warn({ err: error instanceof Error ? error.message : String(error), connectionId }, 'a shared credential lease could not be opened; minting new credentials');
      return undefined;
    }
  }

  /** Drops a connection's credentials here and in the shared table (edit, rotation, deletion, validation). */
  async drop(connectionId: string): Promise<void> {
    this.cache.invalidatePrefix(`${connectionId}:`);
    try {
      await this.dataSource.query('DELETE FROM credential_leases WHERE connection_id = $1', [connectionId]);
    } catch (error) {
      // The stamp check still keeps other replicas from using credentials of the old version.
      this.log.warn({ err: error instanceof Error ? error.message : String(error), connectionId }, 'could not delete shared credential leases');
    }
  }
}

interface SealedForm {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration: string;
  assumedRoleArn?: string;
  sessionTagsRefused?: boolean;
}

function toSealedForm(issued: MintedCredentials): SealedForm {
  return {
    accessKeyId: issued.accessKeyId,
    secretAccessKey: issued.secretAccessKey.reveal(),
    ...(issued.sessionToken ? { sessionToken: issued.sessionToken.reveal() } : {}),
    expiration: issued.expiration.toISOString(),
    ...(issued.assumedRoleArn ? { assumedRoleArn: issued.assumedRoleArn } : {}),
    ...(issued.sessionTagsRefused ? { sessionTagsRefused: true } : {}),
  };
}

/** Binds a sealed lease to its connection and cache key: copied to another row, it no longer opens. */
export function leaseAssociatedData(connectionId: string, key: string): string {
  return `tether/credential-lease/v1/${connectionId}/${key}`;
}

/** JSON with object keys sorted, so equal policies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as Record<string, unknown>)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A cloud's refusal to mint, in Tether's words; the cloud's code stays for the customer's audit log. */
export function credentialsProblem(error: unknown, connection: ConnectionEntity): unknown {
  if (!isProviderError(error)) return error;
  const extras = problemExtras(error);
  switch (error.kind) {
    case 'access_denied':
    case 'invalid_credentials':
    case 'expired_credentials':
    case 'not_found':
      return new TetherError(
        'cloud-access-denied',
        assumesRole(connection)
          ? `${error.message}. Check that the role exists and its trust policy names the platform principal with the External ID (GET /connections/${connection.id}/trust-policy).`
          : `${error.message}. Check the connection's access key and secret.`,
        extras,
      );
    case 'throttled':
      return new TetherError('cloud-throttled', `${error.message}; try again.`, { ...extras, headers: retryAfterHeaders(error) });
    case 'invalid_request':
    case 'payload_too_large':
    case 'conflict':
    case 'quota_exceeded':
      return new TetherError('cloud-rejected-request', `${error.message}.`, extras);
    case 'unsupported':
      return new TetherError('credentials-not-supported', `${error.message}. Tether never hands out a connection's long-lived keys; use an assume_role connection for this cloud.`, extras);
    case 'unavailable':
      return new TetherError('cloud-unavailable', `${error.message}; try again.`, extras);
  }
}
