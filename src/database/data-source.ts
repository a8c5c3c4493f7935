import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

/**
 * TypeORM options for a PostgreSQL URL (a real server or the embedded one). Migrations run
 * explicitly at start, never `synchronize`.
 */
export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
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

/** Applies pending migrations, each in its own transaction; a second run is a no-op. */
export async function runMigrations(dataSource: DataSource): Promise<number> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.length;
}
