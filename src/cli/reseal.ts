import { ConfigError, loadConfig } from '../config/load-config';
import { createLogger } from '../common/logging/logger';
import { Database } from '../database/database';
import { loadKeyring } from '../secrets/keyring';
import { resealSecrets } from '../secrets/reseal';
import { resealDeployments } from '../functions/reseal-deployments';

/** `npm run reseal`: after prepending a new key to TETHER_MASTER_KEYS, moves every secret and deployed environment onto it. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await Database.open(config, logger);
  try {
    const keyring = loadKeyring(config, logger);
    const { resealed, unopenable } = await resealSecrets(database.dataSource, keyring);
    logger.info({ resealed, keyId: keyring.currentKeyId }, 'secrets re-sealed under the first key');
    if (unopenable.length > 0) {
      logger.error({ secretIds: unopenable }, 'these secrets did not open (changed, or sealed under a key not in TETHER_MASTER_KEYS) and were left as they are');
      process.exitCode = 1;
    }
    const deployments = await resealDeployments(database.dataSource, keyring);
    logger.info({ resealed: deployments.resealed, keyId: keyring.currentKeyId }, 'function deployment environments re-sealed under the first key');
    if (deployments.unopenable.length > 0) {
      logger.error({ deploymentIds: deployments.unopenable }, 'these function deployments did not open and were left as they are; their next deploy rewrites them');
      process.exitCode = 1;
    }
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
