/**
 * `npm run emulators`: one emulator for AWS, Aliyun and Tencent on PORT (default 4566), seeded with
 * the platform identities, until SIGTERM / SIGINT.
 */
import { startEmulator } from './index';

async function main(): Promise<void> {
  const port = Number(process.env['PORT'] ?? 4566);
  const emulator = await startEmulator({ port, host: process.env['HOST'] ?? '127.0.0.1' });
  const seed = emulator.admin.seedPlatform();
  process.stdout.write(`cloud emulator listening on ${emulator.url} (admin API under ${emulator.url}/__emulator/)\n`);
  process.stdout.write(`${JSON.stringify({ seed, state: emulator.admin.summary() }, null, 2)}\n`);
  const stop = (signal: string): void => {
    process.stdout.write(`${signal}: stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
