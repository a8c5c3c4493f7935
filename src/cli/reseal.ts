import { ConfigError, loadConfig } from '../config/load-config';
import { createLogger } from '../common/logging/logger';
import { Database } from '../database/database';
import { loadKeyring } from '../secrets/keyring';
import { resealSecrets } from '../secrets/reseal-secrets';

/** `npm run reseal`: after prepending a new key to TETHER_MASTER_KEYS, moves every secret onto it. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await Database.open(config, logger);
  try {
    const keyring = loadKeyring(config, logger);
    const count = await resealSecrets(database.dataSource, keyring);
    logger.info({ resealed: count, keyId: keyring.currentKeyId }, 'secrets re-sealed under the first key');
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
