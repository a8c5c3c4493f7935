import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { LOGGER } from '../common/logging/logger.token';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';

/** What replicas tell each other: a token, connection or secret changed; drop what you hold for it. */
export type FleetTopic = 'token' | 'connection' | 'secret';

type Handler = (id: string) => void;

const CHANNEL = 'tether_changes';
const RECONNECT_MS = 1000;

/**
 * Tells the other replicas on the same PostgreSQL server, through LISTEN/NOTIFY, that something
 * they may hold in memory changed, so they drop it at once instead of when their copy is older
 * than TETHER_LOOKUP_CACHE_SECONDS. Best effort by design: a notification lost while a replica's
 * listening connection is down leaves that bound in force, so nothing depends on delivery.
 * On the embedded database there is one process, and nothing to tell (TETHER_FLEET_NOTIFY).
 */
@Injectable()
export class FleetChannel implements OnModuleInit, OnApplicationShutdown {
  /** Tells this replica's own notifications apart from the others'. */
  private readonly origin = randomUUID();
  private readonly handlers = new Map<FleetTopic, Set<Handler>>();
  private listener: Client | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(TETHER_CONFIG) private readonly config: TetherConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.database.fleetNotify) await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    await this.listener?.end().catch(() => undefined);
  }

  /** Calls `handler` with the id of every `topic` change another replica announces. */
  subscribe(topic: FleetTopic, handler: Handler): () => void {
    let handlers = this.handlers.get(topic);
    if (!handlers) this.handlers.set(topic, (handlers = new Set()));
    handlers.add(handler);
    return () => handlers.delete(handler);
  }

  /** Announces a committed change to the other replicas; never fails the change itself. */
  publish(topic: FleetTopic, id: string): void {
    if (!this.config.database.fleetNotify) return;
    const payload = JSON.stringify({ origin: this.origin, topic, id });
    this.dataSource.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]).catch((error: unknown) => {
      this.logger.warn({ err: error, topic }, 'could not tell the other replicas about a change; they see it within TETHER_LOOKUP_CACHE_SECONDS');
    });
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.database.url });
    client.on('notification', (message) => this.deliver(message.payload));
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'the fleet change listener lost its connection; reconnecting');
      this.retry(client);
    });
    client.on('end', () => this.retry(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listener = client;
    } catch (error) {
      this.logger.warn({ err: error }, 'could not listen for the other replicas\' changes; retrying');
      this.retry(client);
    }
  }

  private retry(client: Client): void {
    if (this.stopped || this.reconnect) return;
    if (this.listener === client) this.listener = undefined;
    client.end().catch(() => undefined);
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      if (!this.stopped) void this.listen();
    }, RECONNECT_MS);
  }

  private deliver(payload: string | undefined): void {
    let message: { origin?: unknown; topic?: unknown; id?: unknown };
    try {
      message = JSON.parse(payload ?? '') as typeof message;
    } catch {
      return;
    }
    if (message.origin === this.origin || typeof message.id !== 'string') return;
    for (const handler of this.handlers.get(message.topic as FleetTopic) ?? []) handler(message.id);
  }
}
