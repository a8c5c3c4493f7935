import 'reflect-metadata';
import type { Server } from 'node:http';
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

  // Graceful stop: refuse new connections, let requests in flight finish, close the database.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Keep-alive sockets that go idle after their last answer would hold close() for their whole
    // timeout: close them as they go idle.
    const server: Server = app.getHttpServer();
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    app.close().then(
      () => {
        clearInterval(idleSweep);
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`tether: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
