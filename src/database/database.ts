import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { TetherConfig } from '../config/load-config';
import { dataSourceOptions, runMigrations } from './data-source';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

/** Any constant works; it only has to be the same in every replica. */
const MIGRATION_LOCK_KEY = 0x7e7e_0001;

/** The database Tether runs on: a PostgreSQL server, or the embedded one in the data dir. */
export class Database {
  private constructor(
    readonly dataSource: DataSource,
    private readonly embedded: EmbeddedPostgres | undefined,
  ) {}

  static async open(config: TetherConfig, logger: Logger): Promise<Database> {
    let embedded: EmbeddedPostgres | undefined;
    let url = config.database.url;
    if (!url) {
      const started = Date.now();
      embedded = await startEmbeddedPostgres(`${config.database.dataDir}/pgdata`);
      url = embedded.url;
      logger.info({ dataDir: config.database.dataDir, durationMs: Date.now() - started }, 'embedded PostgreSQL (PGlite) started');
    }
    const dataSource = new DataSource(dataSourceOptions(url, config.database.poolSize));
    try {
      await dataSource.initialize();
      const applied = await migrateUnderLock(dataSource);
      if (applied > 0) logger.info({ applied }, 'database migrations applied');
    } catch (error) {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
      throw error;
    }
    return new Database(dataSource, embedded);
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }
}

/** Replicas starting together must not apply the same migration twice. */
export async function migrateUnderLock(dataSource: DataSource): Promise<number> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      // On the connection holding the lock: a pool of one (the embedded database) has no other.
      return await runMigrations(dataSource, runner);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
