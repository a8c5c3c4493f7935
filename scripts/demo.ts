/**
 * `npm run demo`: the whole story on the terminal without a cloud account. Starts the cloud
 * emulators and Tether on a fresh embedded database, then walks through a connection's life with
 * the typed client. Non-interactive; exits 0 at the end, non-zero on the first surprise.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTetherClient, TetherClient } from '../client';
import { startEmulator } from '../test/emulators';

const execFileAsync = promisify(execFile);
const CUSTOMER_ACCOUNT = '222222222222';
const REGION = 'us-east-1';
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n: number, title: string) => console.log(`\n${bold(`${n}. ${title}`)}`);
const show = (value: unknown) => console.log(JSON.stringify(value, null, 2).replace(/^/gm, '   '));

function expectOk<T>(what: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok || result.data === undefined) throw new Error(`${what} failed: ${result.response.status} ${JSON.stringify(result.error)}`);
  return result.data;
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 150; i += 1) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('Tether did not become ready');
}

async function main(): Promise<void> {
  const emulator = await startEmulator();
  const seed = emulator.admin.seedPlatform();
  emulator.admin.createAccount({ cloud: 'aws', id: CUSTOMER_ACCOUNT, name: 'acme' });
  emulator.admin.createFunction({ cloud: 'aws', account: CUSTOMER_ACCOUNT, region: REGION, name: 'hello', behaviour: { type: 'echo' } });
  emulator.admin.createFunction({ cloud: 'aws', account: CUSTOMER_ACCOUNT, region: REGION, name: 'score', behaviour: { type: 'rows' } });

  const dataDir = mkdtempSync(join(tmpdir(), 'tether-demo-'));
  const port = await freePort();
  const bootstrap = `demo-${randomBytes(24).toString('hex')}`;
  const url = `http://127.0.0.1:${port}`;
  let tether: ChildProcess | undefined;
  try {
    step(1, 'Start the cloud emulators and Tether on an embedded PostgreSQL');
    tether = spawn(process.execPath, [resolve(__dirname, '../dist/src/main.js')], {
      env: { ...process.env, ...seed.env, DATABASE_URL: '', TETHER_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', TETHER_BOOTSTRAP_TOKEN: bootstrap, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitReady(url);
    console.log(`   emulators on ${emulator.url}, Tether on ${url}`);

    const operator = createTetherClient(url, bootstrap);
    const workspace = expectOk('workspace', await operator.POST('/workspaces', { body: { name: 'acme_data' } }));
    const tetherApi: TetherClient = createTetherClient(url, workspace.adminToken);

    step(2, 'Create a secret and an assume-role connection');
    show(expectOk('secret', await tetherApi.POST('/secrets', { body: { name: 'webhook_signing_key', value: randomBytes(16).toString('hex') } })));
    const connection = expectOk(
      'connection',
      await tetherApi.POST('/connections', {
        body: { name: 'udf_noah', provider: 'aws', region: REGION, auth: { type: 'assume_role', roleArn: `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/TetherUdf` }, comment: 'UDFs of the finance team' },
      }),
    );
    show({ id: connection.id, auth: connection.auth, validation: connection.validation });

    step(3, 'The trust policy the customer installs (principal + External ID)');
    const policy = expectOk('trust policy', await tetherApi.GET('/connections/{id}/trust-policy', { params: { path: { id: 'udf_noah' } } }));
    show(policy.trustPolicy);

    step(4, 'A careless install: the role trusts the platform WITHOUT the External ID condition');
    const careless = structuredClone(policy.trustPolicy) as { Statement: Record<string, unknown>[] };
    for (const statement of careless.Statement) delete statement.Condition;
    emulator.admin.createRole({ cloud: 'aws', account: CUSTOMER_ACCOUNT, name: 'TetherUdf', trustPolicy: careless, permissionPolicies: [policy.permissionPolicy] });
    const insecure = expectOk('validate', await tetherApi.POST('/connections/{id}/validate', { params: { path: { id: 'udf_noah' } } }));
    console.log(`   status: ${bold(insecure.status)}`);
    show(insecure.checks.find((c) => c.name === 'external_id_required'));
    if (insecure.status !== 'insecure') throw new Error('the confused-deputy check did not fire');

    step(5, 'Install the rendered trust policy and validate again');
    emulator.admin.putTrustPolicy({ cloud: 'aws', roleArn: connection.auth.roleArn as string, trustPolicy: policy.trustPolicy });
    const valid = expectOk('validate', await tetherApi.POST('/connections/{id}/validate', { params: { path: { id: 'udf_noah' } } }));
    console.log(`   status: ${bold(valid.status)}`);
    for (const check of valid.checks) console.log(`   - ${check.name}: ${check.status}`);
    if (valid.status !== 'valid') throw new Error('validation did not pass');

    step(6, 'A query engine fetches short-lived credentials with a service token');
    const service = expectOk('token', await tetherApi.POST('/tokens', { body: { name: 'query_engine', role: 'service', connections: ['udf_noah'] } }));
    const engine = createTetherClient(url, service.token);
    const credentials = expectOk('credentials', await engine.POST('/connections/{id}/credentials', { params: { path: { id: 'udf_noah' } }, body: {} }));
    show({ ...credentials, secretAccessKey: `${credentials.secretAccessKey.slice(0, 4)}…`, sessionToken: `${credentials.sessionToken.slice(0, 8)}…` });

    step(7, 'The AWS CLI uses them (if it is installed)');
    try {
      // Asynchronously: the emulator the CLI calls runs in this very process.
      const { stdout: identity } = await execFileAsync('aws', ['sts', 'get-caller-identity', '--output', 'json'], {
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? dataDir,
          ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
          // No profile of the operator's may supply other keys: the CLI must take Tether's.
          AWS_CONFIG_FILE: join(dataDir, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'no-credentials'),
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${url}/connections/${connection.id}/credentials/container`,
          AWS_CONTAINER_AUTHORIZATION_TOKEN: service.token,
          AWS_ENDPOINT_URL: emulator.url,
          AWS_REGION: REGION,
          AWS_DEFAULT_REGION: REGION,
        },
        encoding: 'utf8',
      });
      show(JSON.parse(identity));
    } catch (error) {
      console.log(`   skipped: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the aws command is not installed' : String((error as { stderr?: string }).stderr || (error as Error).message).trim().split('\n').pop()}`);
    }

    step(8, 'Invoke a function, then a batch of rows in the external-function protocol');
    const invoked = expectOk('invoke', await engine.POST('/connections/{id}/functions/{function}/invoke', { params: { path: { id: 'udf_noah', function: 'hello' } }, body: { payload: { greeting: 'hello from SQL' } } }));
    show(invoked);
    const rows = Array.from({ length: 1000 }, (_, i) => [`row-${i}`, i]);
    const batch = expectOk('batch', await engine.POST('/connections/{id}/functions/{function}/batch', { params: { path: { id: 'udf_noah', function: 'score' } }, body: { rows, maxBatchRows: 250 } }));
    console.log(`   ${batch.data.length} rows back in ${batch.batches} batches, ${batch.retries} retries, ${batch.durationMs} ms; first: ${JSON.stringify(batch.data[0])}`);

    step(9, 'Everything is in the tamper-evident audit trail');
    const trail = expectOk('audit', await tetherApi.GET('/audit-events', { params: { query: { limit: 200 } } }));
    for (const event of trail.items) console.log(`   ${event.at}  ${event.actor.name?.padEnd(14)} ${event.action.padEnd(32)} ${event.outcome}`);
    show(expectOk('verify', await tetherApi.GET('/audit-events/verify')));
    console.log(`\n${bold('Done.')}`);
  } finally {
    tether?.kill('SIGTERM');
    await new Promise((r) => (tether && tether.exitCode === null ? tether.once('exit', r) : r(undefined)));
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
