/**
 * Cache-hit throughput of POST /connections/:id/credentials against a bare node:http server that
 * returns the same JSON, on this machine, over loopback, with autocannon. Then Tether's latency at
 * half the bare server's rate. For scale, the frameworks alone on the same route: Fastify and
 * NestJS with Tether's ValidationPipe (what the route would cost through them: Tether answers it
 * in front of both, src/common/http/front-door.ts). In-process emulator; the embedded PGlite as
 * the tests run it, or the PostgreSQL server DATABASE_URL names (an empty database you created).
 *
 *   npm run bench:credentials [-- --seconds 10 --connections 16 --workers 1]
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tether_bench npm run bench:credentials
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// autocannon ships no types; the few fields read below are checked by hand.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<{ requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number }>;
import { createApp } from '../src/app.factory';
import { createLogger } from '../src/common/logging/logger';
import { loadConfig } from '../src/config/load-config';
import { startEmulator } from '../test/emulators';
import { startFrameworkFloors } from './framework-floor';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '16' }, workers: { type: 'string', default: '1' } } });
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
// The load generator runs in worker threads: on the servers' own event loop it would take a share
// of every request's time and flatter the slower server (0 puts it back there, for comparison).
const WORKERS = Number(values.workers);
const BOOTSTRAP = 'tether-bench-bootstrap-token-0123456789abcdef';

async function load(url: string, headers: Record<string, string>, body: string, overallRate?: number, duration = SECONDS) {
  const result = await autocannon({ url, method: 'POST', headers, body, connections: CONNECTIONS, duration, ...(WORKERS > 0 ? { workers: WORKERS } : {}), ...(overallRate ? { overallRate } : {}) });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors from ${url}`);
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99 };
}

async function main(): Promise<void> {
  const emulator = await startEmulator();
  const seed = emulator.admin.seedPlatform();
  for (const [name, value] of Object.entries(seed.env)) process.env[name] = value;
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-bench-'));
  const databaseUrl = process.env.DATABASE_URL;
  const config = loadConfig({
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    TETHER_DATA_DIR: dataDir,
    TETHER_BOOTSTRAP_TOKEN: BOOTSTRAP,
    TETHER_MASTER_KEYS: `bench1:${Buffer.alloc(32, 9).toString('base64')}`,
    TETHER_RATE_LIMIT_PER_MINUTE: '10000000',
    LOG_LEVEL: 'warn',
    ...seed.env,
  });
  const app = await createApp(config, createLogger('warn'));
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await response.json()) as Record<string, any>;
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  };
  const bare = createServer();
  try {
    const { adminToken } = await api('POST', '/workspaces', BOOTSTRAP, { name: 'bench' });
    const connection = await api('POST', '/connections', adminToken, { name: 'bench_creds', provider: 'aws', region: 'us-east-1', auth: { type: 'assume_role', roleArn: 'arn:aws:iam::222222222222:role/tether-bench' } });
    const rendered = await api('GET', `/connections/${connection.id}/trust-policy`, adminToken);
    emulator.admin.createAccount({ cloud: 'aws', id: '222222222222', name: 'customer' });
    emulator.admin.createRole({ cloud: 'aws', account: '222222222222', name: 'tether-bench', trustPolicy: rendered.trustPolicy, permissionPolicies: [rendered.permissionPolicy] });
    const { token } = await api('POST', '/tokens', adminToken, { name: 'engine', role: 'service', connections: ['bench_creds'] });
    const path = `/connections/${connection.id}/credentials`;
    const answer = JSON.stringify(await api('POST', path, token, {}));

    bare.on('request', (request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(answer));
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}${path}`;

    const floors = await startFrameworkFloors(answer);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const assumeRoles = () => emulator.admin.assumeRoleAttempts({ cloud: 'aws' }).length;
    const stsBefore = assumeRoles();
    // Two seconds each before measuring, so every server is measured with its code optimised (JIT).
    for (const url of [`${base}${path}`, bareUrl, `${floors.fastifyUrl}${path}`, `${floors.nestUrl}${path}`]) await load(url, headers, '{}', undefined, 2);
    const tether = await load(`${base}${path}`, headers, '{}');
    const plain = await load(bareUrl, headers, '{}');
    const fastifyAlone = await load(`${floors.fastifyUrl}${path}`, headers, '{}');
    const nestAlone = await load(`${floors.nestUrl}${path}`, headers, '{}');
    const halfRate = await load(`${base}${path}`, headers, '{}', Math.max(1, Math.floor(plain.rps / 2)));
    const stsAfter = assumeRoles();
    await floors.close();

    console.log(`credentials cache hits, ${SECONDS} s per run, ${CONNECTIONS} connections, loopback, in-process emulator, ${databaseUrl ? 'PostgreSQL server' : 'embedded PGlite'}`);
    console.log(`  bare node:http       ${plain.rps} req/s   p50 ${plain.p50} ms   p99 ${plain.p99} ms`);
    console.log(`  Tether               ${tether.rps} req/s   p50 ${tether.p50} ms   p99 ${tether.p99} ms`);
    console.log(`  ratio                ${(tether.rps / plain.rps).toFixed(2)}`);
    console.log(`  for scale: Fastify alone ${fastifyAlone.rps} req/s (${(fastifyAlone.rps / plain.rps).toFixed(2)}), NestJS + ValidationPipe alone ${nestAlone.rps} req/s (${(nestAlone.rps / plain.rps).toFixed(2)}), p99 ${fastifyAlone.p99} / ${nestAlone.p99} ms`);
    console.log(`  Tether at ${Math.floor(plain.rps / 2)} req/s offered (half the bare rate): served ${halfRate.rps} req/s, p50 ${halfRate.p50} ms, p99 ${halfRate.p99} ms`);
    console.log(`  AssumeRole calls during the runs: ${stsAfter - stsBefore}`);
  } finally {
    bare.close();
    await app.close();
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
