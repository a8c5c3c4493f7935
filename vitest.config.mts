import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// NestJS dependency injection needs decorator metadata, which esbuild does not emit: swc does.
const plugins = [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } } })];

const integration = (name: string, env: Record<string, string>) => ({
  plugins,
  test: {
    name,
    include: ['test/integration/**/*.int-spec.ts'],
    globalSetup: ['test/integration/harness/global-setup.ts'],
    env,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One embedded database serves every file; PGlite runs one statement at a time anyway.
    fileParallelism: false,
  },
});

export default defineConfig({
  test: {
    projects: [
      { plugins, test: { name: 'unit', include: ['src/**/*.spec.ts', 'client/**/*.spec.ts', 'test/emulators/**/*.spec.ts'], testTimeout: 30_000 } },
      // The embedded database is reached by URL here, but serves one process: no fleet to notify.
      integration('pglite', { TETHER_TEST_DATABASE: 'pglite', TETHER_DATABASE_POOL_SIZE: '1', TETHER_FLEET_NOTIFY: 'off' }),
      ...(process.env.DATABASE_URL ? [integration('postgres', { TETHER_TEST_DATABASE: 'postgres' })] : []),
    ],
  },
});
