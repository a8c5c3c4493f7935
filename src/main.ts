import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/load-config';
import { createLogger } from './common/logging/logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // One line naming the variable, never its value, then stop.
      process.stderr.write(`tether: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const app = await createApp(config, logger);
  await app.listen(config.http.port, config.http.host);
  logger.info({ url: await app.getUrl() }, 'tether listening');
}

main().catch((error: unknown) => {
  process.stderr.write(`tether: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
