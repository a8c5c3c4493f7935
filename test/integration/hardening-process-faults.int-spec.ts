import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { Keyring } from '../../src/secrets/keyring';
import { secretAssociatedData } from '../../src/secrets/secrets.service';
import { bearer, startTestApp, TestApp } from './harness/app';

const MAIN = resolve(__dirname, '../../dist/src/main.js');
const TOKEN = 'hardening-kill-bootstrap-token-0123456789abcdef';
const KEY = Buffer.alloc(32, 11);

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

function start(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [MAIN], { env: { ...inherited, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return { child, output: () => output, exited: new Promise((done) => child.on('exit', (code) => done(code))) };
}

async function waitFor(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe().catch(() => false)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} not within ${timeoutMs} ms`);
}

// Both use their own embedded database, never the shared one: run them once, in the pglite project.
describe.runIf(process.env.TETHER_TEST_DATABASE === 'pglite')('process and database faults', () => {
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it.runIf(existsSync(MAIN))('SIGKILL during writes loses no acknowledged secret and leaves no partial row', async () => {
    const dataDir = tempDir('tether-kill-');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { TETHER_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', TETHER_BOOTSTRAP_TOKEN: TOKEN, TETHER_MASTER_KEYS: `kill1:${KEY.toString('base64')}`, TETHER_RATE_LIMIT_PER_MINUTE: '10000000' };
    const ready = async () => (await fetch(`${base}/readyz`)).status === 200;

    const first = start(env);
    await waitFor(ready, 30_000, 'first start');
    const acknowledged = new Map<string, string>();
    let attempted = 0;
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i += 1) {
        const name = `kill_${w}_${i}`;
        const value = `value-${w}-${i}-${'v'.repeat(i % 50)}`;
        attempted += 1;
        try {
          const response = await fetch(`${base}/secrets`, { method: 'POST', headers: { ...bearer(TOKEN), 'content-type': 'application/json' }, body: JSON.stringify({ name, value }) });
          if (response.status === 201) acknowledged.set(name, value);
        } catch {
          return; // the process is gone
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    await waitFor(async () => acknowledged.size >= 60, 20_000, '60 acknowledged writes');
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    expect(await first.exited).toBeNull();

    const second = start(env);
    await waitFor(ready, 30_000, `restart after SIGKILL (${second.output().slice(0, 300)})`);
    const missing: string[] = [];
    for (const name of acknowledged.keys()) if ((await fetch(`${base}/secrets/${name}`, { headers: bearer(TOKEN) })).status !== 200) missing.push(name);
    expect(missing).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    // The data dir, opened directly: every row opens under its binding, holds what was sent, and has its event.
    const embedded = await startEmbeddedPostgres(join(dataDir, 'pgdata'), 2);
    const client = new Client({ connectionString: embedded.url });
    try {
      await client.connect();
      const rows = (await client.query(`SELECT id, workspace_id, name, key_id, sealed FROM secrets`)).rows as { id: string; workspace_id: string; name: string; key_id: string; sealed: Buffer }[];
      const events = new Set((await client.query(`SELECT target_id FROM audit_events WHERE action = 'secret.create' AND outcome = 'success'`)).rows.map((r: { target_id: string }) => r.target_id));
      const keyring = new Keyring([{ id: 'kill1', key: KEY }]);
      const partial: string[] = [];
      for (const row of rows) {
        let value = '';
        try {
          value = keyring.open({ keyId: row.key_id, sealed: row.sealed }, secretAssociatedData(row.workspace_id, row.id)).toString('utf8');
        } catch (error) {
          partial.push(`${row.name}: ${String(error)}`);
        }
        if (acknowledged.has(row.name) && acknowledged.get(row.name) !== value) partial.push(`${row.name} holds another value`);
        if (!events.has(row.id)) partial.push(`${row.name} has no secret.create event`);
      }
      const verify = (await client.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0].n as number;
      console.log(`[hardening] SIGKILL: ${attempted} writes attempted, ${acknowledged.size} acknowledged, ${rows.length} rows after restart, ${verify} audit events`);
      expect(rows.length).toBeGreaterThanOrEqual(acknowledged.size);
      expect(partial).toEqual([]);
    } finally {
      await client.end();
      await embedded.stop();
    }
  });

  it('reconnects by itself when PostgreSQL restarts under load: /readyz red then green, no acknowledged write lost', async () => {
    const dataDir = tempDir('tether-pgrestart-');
    const port = await freePort();
    const db = await PGlite.create(dataDir);
    let server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 8 });
    await server.start();
    let t: TestApp | undefined;
    try {
      t = await startTestApp({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`, TETHER_RATE_LIMIT_PER_MINUTE: '10000000' });
      const app = t;
      const { adminToken } = await app.workspace();
      const acknowledged: string[] = [];
      const refused = new Map<number, number>();
      let stop = false;
      let n = 0;
      const writer = async () => {
        while (!stop) {
          const name = `restart_${(n += 1)}`;
          const response = await app.http.post('/secrets').set(bearer(adminToken)).send({ name, value: `v${n}` });
          if (response.status === 201) acknowledged.push(name);
          else refused.set(response.status, (refused.get(response.status) ?? 0) + 1);
          if (response.status >= 400) expect(response.headers['content-type']).toMatch(/problem\+json/);
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      const writers = [writer(), writer()];
      await waitFor(async () => acknowledged.length >= 20, 10_000, 'writes before the restart');
      await server.stop();
      const red = await waitFor(async () => (await app.http.get('/readyz')).status === 503, 10_000, '/readyz 503');
      await new Promise((r) => setTimeout(r, 500));
      const before = acknowledged.length;
      server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 8 });
      await server.start();
      const green = await waitFor(async () => (await app.http.get('/readyz')).status === 200, 20_000, '/readyz 200 after the restart');
      await waitFor(async () => acknowledged.length >= before + 20, 20_000, 'writes after the restart');
      stop = true;
      await Promise.all(writers);
      const missing: string[] = [];
      for (const name of acknowledged) if ((await app.http.get(`/secrets/${name}`).set(bearer(adminToken))).status !== 200) missing.push(name);
      console.log(`[hardening] PostgreSQL restart: ${acknowledged.length} writes acknowledged, refused while down ${JSON.stringify(Object.fromEntries(refused))}, red after ${red} ms, green ${green} ms after the restart`);
      expect(missing).toEqual([]);
      // Writes refused while the database is down are 503 database-unavailable, never a 500.
      expect([...refused.keys()].every((status) => status === 503)).toBe(true);
    } finally {
      await t?.close().catch(() => undefined);
      await server.stop().catch(() => undefined);
      await db.close().catch(() => undefined);
    }
  });
});
