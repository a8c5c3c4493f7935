import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../emulators';

const MAIN = resolve(__dirname, '../../dist/src/main.js');
const TOKEN = 'boot-test-bootstrap-token-0123456789abcdef';

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

function start(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [MAIN], { env: { ...inherited, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function waitReady(port: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready within ${timeoutMs} ms`);
}

// The process as an operator runs it: `node dist/src/main.js` on the embedded database.
describe.runIf(process.env.TETHER_TEST_DATABASE === 'pglite')('the service process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-boot-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stops with one line naming a wrong variable', async () => {
    const run = start({ TETHER_DATA_DIR: dataDir, TETHER_MASTER_KEYS: 'k:not-base64-of-32-bytes', TETHER_BOOTSTRAP_TOKEN: 'x'.repeat(40) });
    expect(await run.exited).toBe(2);
    expect(run.output().trim()).toBe(`tether: TETHER_MASTER_KEYS is invalid: expected every key to decode to exactly 32 bytes (AES-256)`);
  });

  it('starts on the embedded database with no other setup, and keeps data across a restart', async () => {
    const port = await freePort();
    const env = { TETHER_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', TETHER_BOOTSTRAP_TOKEN: TOKEN };
    const first = start(env);
    await waitReady(port, 30_000);
    const created = await fetch(`http://127.0.0.1:${port}/secrets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'survives', value: 'restart' }),
    });
    expect(created.status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = start(env);
    await waitReady(port, 30_000);
    const read = await fetch(`http://127.0.0.1:${port}/secrets/survives`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(read.status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('finishes a request in flight when it receives SIGTERM, then exits', async () => {
    const emulator = await startEmulator();
    try {
      const seed = emulator.admin.seedPlatform();
      const port = await freePort();
      const run = start({ ...seed.env, TETHER_DATA_DIR: mkdtempSync(join(tmpdir(), 'tether-term-')), PORT: String(port), HOST: '127.0.0.1', TETHER_BOOTSTRAP_TOKEN: TOKEN });
      await waitReady(port, 30_000);
      const base = `http://127.0.0.1:${port}`;
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      const created = await fetch(`${base}/connections`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'slow', provider: 'aws', region: 'us-east-1', auth: { type: 'assume_role', roleArn: 'arn:aws:iam::222222222222:role/slow' } }),
      });
      expect(created.status).toBe(201);
      // STS answers after 1.5 s: the validation is in flight when SIGTERM arrives.
      emulator.admin.addFault({ cloud: 'aws', service: 'sts', latencyMs: 1500, times: 10 });
      const inFlight = fetch(`${base}/connections/slow/validate`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      await new Promise((r) => setTimeout(r, 300));
      run.child.kill('SIGTERM');
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { checks: unknown[] }).checks).toHaveLength(5);
      expect(await run.exited).toBe(0);
    } finally {
      await emulator.close();
    }
  });
});
