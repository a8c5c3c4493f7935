import { DataSource, DataSourceOptions, MigrationExecutor, QueryRunner } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

/**
 * TypeORM options for a PostgreSQL URL (a real server or the embedded one). Migrations run
 * explicitly at start, never `synchronize`.
 */
export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: poolSize,
      // Fail fast when the database is gone so /readyz turns red instead of hanging.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
    },
  };
}

/** Applies pending migrations on the given connection, each in its own transaction; a second run is a no-op. */
export async function runMigrations(dataSource: DataSource, runner: QueryRunner): Promise<number> {
  const executor = new MigrationExecutor(dataSource, runner);
  executor.transaction = 'each';
  const applied = await executor.executePendingMigrations();
  return applied.length;
}
