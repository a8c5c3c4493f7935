/**
 * A bounded soak: mixed traffic (secret creates, rotations and deletes, connection reads and
 * lists, credentials, invocations where those routes exist) against Tether on loopback with the
 * cloud emulator, printing requests, errors and memory at intervals. Memory should stay flat and
 * errors at zero; the exit code is 1 otherwise.
 *
 *   npm run soak [-- --seconds 120 --concurrency 8 --interval 10]
 *
 * Runs on a temporary embedded database (PGlite), or on DATABASE_URL when set.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.factory';
import { createLogger } from '../src/common/logging/logger';
import { loadConfig } from '../src/config/load-config';
import { startEmulator } from '../test/emulators';
import { liveOperations } from '../test/hardening/api-surface';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '8' },
    interval: { type: 'string', default: '5' },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const INTERVAL = Number(values.interval);
const BOOTSTRAP = 'tether-soak-bootstrap-token-0123456789abcdef';
const ACCOUNT = '222222222222';
const REGION = 'us-east-1';

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const emulator = await startEmulator();
  const seed = emulator.admin.seedPlatform();
  for (const [name, value] of Object.entries(seed.env)) process.env[name] = value;
  delete process.env.http_proxy;
  delete process.env.HTTP_PROXY;
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-soak-'));
  const config = loadConfig({
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    TETHER_DATA_DIR: dataDir,
    TETHER_BOOTSTRAP_TOKEN: BOOTSTRAP,
    TETHER_MASTER_KEYS: `soak1:${Buffer.alloc(32, 5).toString('base64')}`,
    TETHER_RATE_LIMIT_PER_MINUTE: '10000000',
    LOG_LEVEL: 'warn',
    ...seed.env,
  });
  const app = await createApp(config, createLogger('warn'));
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const routes = new Set(liveOperations(app).map((op) => `${op.method} ${op.path}`));

  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, any> };
  };

  // One workspace, a validated role connection in the emulated customer account, an echo function.
  const workspace = (await api('POST', '/workspaces', BOOTSTRAP, { name: `soak_${randomBytes(4).toString('hex')}` })).json();
  const admin = workspace.adminToken as string;
  const created = await api('POST', '/connections', admin, { name: 'soak', provider: 'aws', region: REGION, auth: { type: 'assume_role', roleArn: `arn:aws:iam::${ACCOUNT}:role/tether-soak` } });
  if (created.status !== 201) throw new Error(`connection: ${created.status} ${created.text}`);
  const connection = created.json();
  const rendered = (await api('GET', `/connections/${connection.id}/trust-policy`, admin)).json();
  emulator.admin.createAccount({ cloud: 'aws', id: ACCOUNT, name: 'customer' });
  emulator.admin.createRole({ cloud: 'aws', account: ACCOUNT, name: 'tether-soak', trustPolicy: rendered.trustPolicy, permissionPolicies: [rendered.permissionPolicy] });
  emulator.admin.createFunction({ cloud: 'aws', account: ACCOUNT, region: REGION, name: 'echo', behaviour: { type: 'echo' } });
  const service = (await api('POST', '/tokens', admin, { name: 'soak_service', role: 'service' })).json().token as string;

  type Step = () => Promise<{ status: number; text: string }>;
  let serial = 0;
  const mix: [number, Step][] = [
    [3, () => api('GET', `/connections/${connection.id}`, service)],
    [2, () => api('GET', '/connections?limit=20', admin)],
    [2, async () => {
      const name = `soak_${(serial += 1)}`;
      const made = await api('POST', '/secrets', admin, { name, value: randomBytes(24).toString('hex') });
      if (made.status !== 201) return made;
      const rotated = await api('PUT', `/secrets/${name}/value`, admin, { value: randomBytes(24).toString('hex') });
      if (rotated.status !== 200) return rotated;
      // Deleted again, so the table (and what a list reads) stays bounded.
      return api('DELETE', `/secrets/${name}`, admin);
    }],
    [1, () => api('GET', '/audit-events?limit=50', admin)],
  ];
  if (routes.has('POST /connections/{id}/credentials')) mix.push([4, () => api('POST', `/connections/${connection.id}/credentials`, service, {})]);
  if (routes.has('POST /connections/{id}/functions/{function}/invoke')) mix.push([3, () => api('POST', `/connections/${connection.id}/functions/echo/invoke`, service, { payload: { n: serial } })]);
  const weighted = mix.flatMap(([weight, step]) => Array.from({ length: weight }, () => step));
  console.log(`soak: ${SECONDS} s, ${CONCURRENCY} clients, ${mix.length} kinds of call (${[...routes].filter((r) => /credentials|invoke/.test(r)).join(', ') || 'no credentials or invoke routes'})`);

  let requests = 0;
  let errors = 0;
  const firstErrors: string[] = [];
  const deadline = Date.now() + SECONDS * 1000;
  const client = async () => {
    while (Date.now() < deadline) {
      const step = weighted[Math.floor(Math.random() * weighted.length)];
      requests += 1;
      try {
        const { status, text } = await step();
        if (status >= 400) {
          errors += 1;
          if (firstErrors.length < 5) firstErrors.push(`${status} ${text.slice(0, 200)}`);
        }
      } catch (error) {
        errors += 1;
        if (firstErrors.length < 5) firstErrors.push(String(error));
      }
    }
  };

  const started = Date.now();
  const samples: number[] = [];
  let last = 0;
  const report = () => {
    const memory = process.memoryUsage();
    samples.push(memory.rss);
    const elapsed = (Date.now() - started) / 1000;
    console.log(`t=${elapsed.toFixed(0)}s requests=${requests} (+${requests - last}, ${((requests - last) / INTERVAL).toFixed(0)}/s) errors=${errors} rss=${mb(memory.rss)}MB heapUsed=${mb(memory.heapUsed)}MB`);
    last = requests;
  };
  const timer = setInterval(report, INTERVAL * 1000);
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  clearInterval(timer);
  report();

  // Flat memory: the last samples within 25% of the samples after warm-up.
  const warm = samples[Math.min(1, samples.length - 1)];
  const end = samples[samples.length - 1];
  const growth = (end - warm) / warm;
  console.log(`soak done: ${requests} requests, ${errors} errors, ${(requests / ((Date.now() - started) / 1000)).toFixed(0)}/s, RSS ${mb(warm)}MB after warm-up -> ${mb(end)}MB (${(growth * 100).toFixed(1)}%)`);
  for (const e of firstErrors) console.log(`  error: ${e}`);
  await app.close();
  await emulator.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(errors > 0 || growth > 0.25 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
