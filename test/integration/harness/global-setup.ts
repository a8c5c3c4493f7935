import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../../src/database/embedded-postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * One database per test run: the embedded PGlite in a temporary directory, or a fresh database
 * on the server named by DATABASE_URL. Every test makes its own workspace, so files share it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // globalSetup runs in the main process, where the project's `env` is not applied: go by its name.
  if (project.name === 'postgres') {
    const serverUrl = process.env.DATABASE_URL;
    if (!serverUrl) throw new Error('the postgres project needs DATABASE_URL');
    const name = `tether_it_${process.pid}_${Date.now()}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    project.provide('databaseUrl', url.toString());
    return async () => {
      const cleanup = new Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'tether-pglite-'));
  const embedded = await startEmbeddedPostgres(dir, 64);
  project.provide('databaseUrl', embedded.url);
  return async () => {
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
