/**
 * Rows per second through POST …/functions/:function/batch against one POST …/invoke per row, on
 * the in-process cloud emulator with Tether on the embedded database (PGlite). Both sides run over
 * real HTTP with the same client concurrency; the function is the emulator's row-protocol function.
 *
 *   npm run bench:functions [-- --rows 10000 --concurrency 8 --cloud aws]
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.factory';
import { createLogger } from '../src/common/logging/logger';
import { loadConfig } from '../src/config/load-config';
import { startEmulator } from '../test/emulators';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '8' },
    'batch-rows': { type: 'string', default: '500' },
    cloud: { type: 'string', default: 'aws' },
  },
});
const ROWS = Number(values.rows);
const CONCURRENCY = Number(values.concurrency);
const BATCH_ROWS = Number(values['batch-rows']);
const CLOUD = values.cloud as 'aws' | 'aliyun' | 'tencent';
const BOOTSTRAP = 'tether-bench-bootstrap-token-0123456789abcdef';
const CUSTOMER = {
  aws: { account: '222222222222', region: 'us-east-1', roleArn: (n: string) => `arn:aws:iam::222222222222:role/${n}`, namespace: undefined },
  aliyun: { account: '2222222222222222', region: 'cn-hangzhou', roleArn: (n: string) => `acs:ram::2222222222222222:role/${n}`, namespace: 'udf' },
  tencent: { account: '100000000002', region: 'ap-guangzhou', roleArn: (n: string) => `qcs::cam::uin/100000000002:roleName/${n}`, namespace: 'default' },
}[CLOUD];

async function main(): Promise<void> {
  const emulator = await startEmulator();
  const seed = emulator.admin.seedPlatform();
  for (const [name, value] of Object.entries(seed.env)) process.env[name] = value;
  delete process.env.http_proxy;
  delete process.env.HTTP_PROXY;
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-bench-'));
  const config = loadConfig({
    TETHER_DATA_DIR: dataDir,
    TETHER_BOOTSTRAP_TOKEN: BOOTSTRAP,
    TETHER_MASTER_KEYS: `bench1:${Buffer.alloc(32, 9).toString('base64')}`,
    TETHER_RATE_LIMIT_PER_MINUTE: '10000000',
    TETHER_BODY_LIMIT_BYTES: String(16 * 1024 * 1024),
    LOG_LEVEL: 'warn',
    ...seed.env,
  });
  const app = await createApp(config, createLogger('warn'));
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await response.json()) as Record<string, any>;
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json).slice(0, 400)}`);
    return json;
  };

  try {
    const { adminToken } = await api('POST', '/workspaces', BOOTSTRAP, { name: 'bench' });
    const connection = await api('POST', '/connections', adminToken, {
      name: 'bench_udf',
      provider: CLOUD,
      region: CUSTOMER.region,
      auth: { type: 'assume_role', roleArn: CUSTOMER.roleArn('tether-bench') },
      functions: CUSTOMER.namespace ? { namespace: CUSTOMER.namespace } : {},
    });
    const rendered = await api('GET', `/connections/${connection.id}/trust-policy`, adminToken);
    emulator.admin.createAccount({ cloud: CLOUD, id: CUSTOMER.account, name: 'customer' });
    emulator.admin.createRole({ cloud: CLOUD, account: CUSTOMER.account, name: 'tether-bench', trustPolicy: rendered.trustPolicy, permissionPolicies: [rendered.permissionPolicy] });
    emulator.admin.createFunction({ cloud: CLOUD, account: CUSTOMER.account, region: CUSTOMER.region, name: 'score', behaviour: { type: 'rows' }, ...(CLOUD === 'aliyun' ? { service: 'udf' } : {}), ...(CLOUD === 'tencent' ? { namespace: 'default' } : {}) });

    const rows = Array.from({ length: ROWS }, (_, i) => [`customer-${i}`, i, i % 2 === 0]);
    const expected = (i: number) => `customer-${i}|${i}|${i % 2 === 0}`.toUpperCase();
    const path = `/connections/bench_udf/functions/score`;

    // Warm both paths (SDK clients, JIT, database plans).
    await api('POST', `${path}/batch`, adminToken, { rows: rows.slice(0, 1000), maxBatchRows: BATCH_ROWS, maxConcurrency: CONCURRENCY });
    await Promise.all(rows.slice(0, 50).map((row, i) => api('POST', `${path}/invoke`, adminToken, { payload: { data: [[i, ...row]] } })));

    const runs: number[] = [];
    let batches = 0;
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const out = await api('POST', `${path}/batch`, adminToken, { rows, maxBatchRows: BATCH_ROWS, maxConcurrency: CONCURRENCY });
      runs.push(performance.now() - started);
      batches = out.batches as number;
      const data = out.data as [number, string][];
      if (data.length !== ROWS || data.some(([index, result], i) => index !== i || result !== expected(i))) throw new Error('batch answered wrong rows');
    }
    const batchMs = [...runs].sort((a, b) => a - b)[1];

    let next = 0;
    const startedSingles = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ROWS) {
          const i = next++;
          const out = await api('POST', `${path}/invoke`, adminToken, { payload: { data: [[i, ...rows[i]]] } });
          if ((out.payload as { data: [number, string][] }).data[0][1] !== expected(i)) throw new Error(`row ${i} answered wrong`);
        }
      }),
    );
    const singleMs = performance.now() - startedSingles;

    const batchRate = ROWS / (batchMs / 1000);
    const singleRate = ROWS / (singleMs / 1000);
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(`cloud: ${CLOUD} (emulator, in process); database: embedded PGlite; client concurrency ${CONCURRENCY}`);
    console.log(`batch : ${fmt(ROWS)} rows in ${batches} invocations of ≤${BATCH_ROWS} rows: ${fmt(batchMs)} ms (median of 3) -> ${fmt(batchRate)} rows/s`);
    console.log(`single: ${fmt(ROWS)} rows, one invoke each:             ${fmt(singleMs)} ms -> ${fmt(singleRate)} rows/s`);
    console.log(`speed-up: ${(batchRate / singleRate).toFixed(1)}x (target ≥ 50x)`);
  } finally {
    await app.close();
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
