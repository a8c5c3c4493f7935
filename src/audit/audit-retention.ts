import { hostname } from 'node:os';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { LOGGER } from '../common/logging/logger.token';
import { claimScheduledRun } from '../database/scheduled-runs';

const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Deletes audit events older than TETHER_AUDIT_RETENTION_DAYS, hourly, on one replica at a time.
 * The hash chain stays verifiable: the oldest event kept anchors it.
 */
@Injectable()
export class AuditRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly runner = `${hostname()}:${process.pid}`;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(TETHER_CONFIG) private readonly config: TetherConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.auditRetentionDays === undefined) return;
    this.timer = setInterval(() => {
      this.prune().catch((error: unknown) => this.logger.error({ err: error }, 'audit retention failed'));
    }, PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Returns how many events were deleted (0 when another replica pruned within the hour). */
  async prune(): Promise<number> {
    const days = this.config.auditRetentionDays;
    if (days === undefined || !(await claimScheduledRun(this.dataSource, 'audit-retention', this.runner, PRUNE_EVERY_MS / 2))) return 0;
    const [, deleted] = (await this.dataSource.query(`DELETE FROM audit_events WHERE created_at < now() - $1::interval`, [`${days} days`])) as [unknown, number];
    if (deleted > 0) this.logger.info({ deleted, days }, 'audit events pruned');
    return deleted;
  }
}
