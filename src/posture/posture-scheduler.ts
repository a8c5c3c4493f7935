import { hostname } from 'node:os';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AuthContext } from '../auth/auth-context';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { LOGGER } from '../common/logging/logger.token';
import { ConnectionEntity } from '../connections/connection.entity';
import { claimScheduledRun } from '../database/scheduled-runs';
import { ValidationService } from '../validation/validation.service';

const RUN_NAME = 'posture';
/** Validations at once: each makes three or four STS calls, and STS is rate-limited per account. */
const CONCURRENCY = 4;
/** Sweeps start at the interval ±10%, so replicas started together drift apart. */
const JITTER = 0.1;

/** The actor posture checks are audited as. */
export const POSTURE_ACTOR = { tokenId: '00000000-0000-0000-0000-000000000000', tokenName: 'posture-check' } as const;

export interface PostureRun {
  ran: boolean;
  checked: number;
  insecure: number;
}

/**
 * Re-validates every role-assuming connection on a schedule, so a trust policy loosened after
 * validation is caught (and refused) without anyone asking. Across replicas exactly one runs a
 * sweep: a sweep starts only by claiming the `scheduled_runs` row in one atomic statement.
 */
@Injectable()
export class PostureScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PostureRun> | undefined;
  private readonly runner = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ValidationService) private readonly validation: ValidationService,
    @Inject(TETHER_CONFIG) private readonly config: TetherConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduleNext();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private scheduleNext(): void {
    const seconds = this.config.postureIntervalSeconds * (1 - JITTER + Math.random() * 2 * JITTER);
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: unknown) => {
          this.logger.error({ err: error }, 'posture sweep failed');
          return { ran: false, checked: 0, insecure: 0 };
        })
        .finally(() => {
          this.running = undefined;
          if (this.timer) this.scheduleNext();
        });
    }, seconds * 1000);
    this.timer.unref();
  }

  /** One sweep, if no replica started one within the last half interval. */
  async runOnce(): Promise<PostureRun> {
    if (!(await this.claim())) return { ran: false, checked: 0, insecure: 0 };
    const connections = await this.dataSource
      .getRepository(ConnectionEntity)
      .createQueryBuilder('connection')
      .where(`connection.authType = 'assume_role' OR (connection.authType = 'platform' AND connection.roleArn IS NOT NULL)`)
      .orderBy('connection.createdAt', 'ASC')
      .getMany();
    let insecure = 0;
    const queue = [...connections];
    const worker = async () => {
      for (let connection = queue.shift(); connection; connection = queue.shift()) {
        try {
          const result = await this.validation.validateConnection(this.actorFor(connection), connection, 'posture');
          if (result.status === 'insecure') insecure += 1;
        } catch (error) {
          // A connection edited or deleted during the sweep is simply checked next time.
          this.logger.warn({ err: error, connectionId: connection.id }, 'posture check skipped a connection');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, connections.length) }, worker));
    this.logger.info({ checked: connections.length, insecure }, 'posture sweep done');
    return { ran: true, checked: connections.length, insecure };
  }

  /** Half an interval between sweeps, whichever replica runs them. */
  private claim(): Promise<boolean> {
    return claimScheduledRun(this.dataSource, RUN_NAME, this.runner, this.config.postureIntervalSeconds * 500);
  }

  private actorFor(connection: ConnectionEntity): AuthContext {
    return { workspaceId: connection.workspaceId, ...POSTURE_ACTOR, role: 'admin', connections: null, isBootstrap: false, requestId: `posture-${Date.now()}` };
  }
}
