import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { AuthContext } from '../auth/auth-context';
import { LOGGER } from '../common/logging/logger.token';
import { TetherError } from '../common/problem/tether-error';
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

@Injectable()
export class AuditService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Writes one event with the caller's transaction, so it commits or rolls back with the change. */
  async record(manager: EntityManager, auth: AuthContext, target: AuditTarget, outcome: AuditOutcome = 'success'): Promise<void> {
    await manager.getRepository(AuditEventEntity).insert({
      workspaceId: auth.workspaceId,
      actorTokenId: auth.tokenId,
      actorName: auth.tokenName,
      action: target.action,
      targetType: target.targetType,
      targetId: target.targetId ?? null,
      connectionId: target.connectionId ?? null,
      outcome,
      detail: (target.detail ?? {}) as object,
      requestId: auth.requestId,
    });
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
