import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuthContext } from '../auth/auth-context';
import { LOGGER } from '../common/logging/logger.token';
import { TetherError } from '../common/problem/tether-error';
import { chainHash } from './audit-chain';
import { AuditEventEntity, AuditOutcome } from './audit-event.entity';

/** What an action is about. Filled in as the action learns it (a new object's id, say). */
export interface AuditTarget {
  action: string;
  targetType: string;
  targetId?: string | null;
  connectionId?: string | null;
  /** Facts worth keeping: names, hashes, expirations. Never a secret, a key or a payload. */
  detail?: Record<string, unknown>;
  /** Set by an action that turned out to change nothing (an idempotent create): no event. */
  unchanged?: boolean;
}

const FLUSH_BATCH = 200;
const FLUSH_DELAY_MS = 100;
const RETRY_DELAY_MS = 1000;

function eventOf(auth: AuthContext, target: AuditTarget, outcome: AuditOutcome): AuditEventEntity {
  return Object.assign(new AuditEventEntity(), {
    id: randomUUID(),
    workspaceId: auth.workspaceId,
    // Millisecond precision, as the column round-trips it: the hash covers this value.
    createdAt: new Date(Date.now()),
    actorTokenId: auth.tokenId,
    actorName: auth.tokenName,
    action: target.action,
    targetType: target.targetType,
    targetId: target.targetId ?? null,
    connectionId: target.connectionId ?? null,
    outcome,
    detail: structuredClone(target.detail ?? {}),
    requestId: auth.requestId,
  });
}

@Injectable()
export class AuditService implements OnApplicationShutdown {
  private readonly queue: AuditEventEntity[] = [];
  /** Queued events that later identical ones are folded into (by coalesce key), until the next flush. */
  private readonly coalescing = new Map<string, { event: AuditEventEntity; count: number; lastAtMs: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Writes one event with the caller's transaction, so it commits or rolls back with the change. */
  async record(manager: EntityManager, auth: AuthContext, target: AuditTarget, outcome: AuditOutcome = 'success'): Promise<void> {
    await this.append(manager, auth.workspaceId, [eventOf(auth, target, outcome)]);
  }

  /**
   * For actions that change no row (credentials issued, functions invoked): queued and written in
   * batches, so the hot path does not wait for a database round trip per call. An event given a
   * `coalesceKey` absorbs every later one with the same key ({@link countRepeat}) until the next
   * flush (at most 100 ms), and is then written with `detail.count` and `detail.lastAt`; the first
   * request's id is kept.
   */
  recordSoon(auth: AuthContext, target: AuditTarget, outcome: AuditOutcome = 'success', options: { coalesceKey?: string } = {}): void {
    const event = eventOf(auth, target, outcome);
    this.queue.push(event);
    if (options.coalesceKey !== undefined) this.coalescing.set(options.coalesceKey, { event, count: 1, lastAtMs: 0 });
    if (this.queue.length >= FLUSH_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /**
   * Counts one more of the event queued under `coalesceKey` (the same caller getting the same
   * cached credentials again) and returns true; false when there is none, and the caller records
   * the event with {@link recordSoon}. Checked first, so a repeat builds nothing.
   */
  countRepeat(coalesceKey: string): boolean {
    const twin = this.coalescing.get(coalesceKey);
    if (!twin) return false;
    twin.count += 1;
    twin.lastAtMs = Date.now();
    return true;
  }

  /** Writes what recordSoon queued; called on a timer, at shutdown, and by tests that read the trail. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.queue.length);
    for (const { event, count, lastAtMs } of this.coalescing.values()) {
      if (count > 1) Object.assign(event.detail, { count, lastAt: new Date(lastAtMs).toISOString() });
    }
    this.coalescing.clear();
    if (batch.length === 0) return;
    const byWorkspace = new Map<string, AuditEventEntity[]>();
    for (const event of batch) byWorkspace.set(event.workspaceId, [...(byWorkspace.get(event.workspaceId) ?? []), event]);
    try {
      await this.dataSource.transaction(async (manager) => {
        for (const [workspaceId, events] of byWorkspace) await this.append(manager, workspaceId, events);
      });
    } catch (error) {
      this.logger.error({ err: error, events: batch.length }, 'could not write queued audit events; they are retried');
      this.queue.unshift(...batch);
      this.timer ??= setTimeout(() => void this.flush(), RETRY_DELAY_MS);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Appends to the workspace's hash chain; the advisory lock keeps concurrent writers in one order. */
  private async append(manager: EntityManager, workspaceId: string, events: AuditEventEntity[]): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`audit:${workspaceId}`]);
    const [last] = await manager.query('SELECT hash FROM audit_events WHERE workspace_id = $1 ORDER BY seq DESC LIMIT 1', [workspaceId]);
    let previous: Buffer | null = last?.hash ?? null;
    for (const event of events) {
      event.prevHash = previous;
      event.hash = chainHash(previous, event);
      previous = event.hash;
    }
    // detail is free-form jsonb, which TypeORM's insert typing cannot express.
    await manager.getRepository(AuditEventEntity).insert(events as QueryDeepPartialEntity<AuditEventEntity>[]);
  }

  /**
   * Runs a mutation and its success event in one transaction: the change never exists without
   * its event. When the mutation fails, the rollback leaves nothing behind and a failure event
   * is written on its own.
   */
  async mutate<T>(auth: AuthContext, target: AuditTarget, work: (manager: EntityManager, target: AuditTarget) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const result = await work(manager, target);
        if (!target.unchanged) await this.record(manager, auth, target);
        return result;
      });
    } catch (error) {
      await this.recordFailure(auth, target, error);
      throw error;
    }
  }

  /** A failure event in a transaction of its own (the action's own transaction rolled back). */
  async recordFailure(auth: AuthContext, target: AuditTarget, error: unknown): Promise<void> {
    const detail = { ...target.detail, error: error instanceof TetherError ? error.code : 'internal' };
    try {
      await this.dataSource.transaction((manager) => this.record(manager, auth, { ...target, detail }, 'failure'));
    } catch (auditError) {
      // The caller still gets the original error; losing a failure event must not mask it.
      this.logger.error({ err: auditError, action: target.action }, 'could not record a failure audit event');
    }
  }
}
