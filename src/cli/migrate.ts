import { ConfigError, loadConfig } from '../config/load-config';
import { createLogger } from '../common/logging/logger';
import { Database } from '../database/database';

/** `npm run migrate`: opening the database applies pending migrations (under a lock); then exit. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await Database.open(config, logger);
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
