import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../src/audit/audit.service';
import { ConnectionEntity } from '../../src/connections/connection.entity';
import { CredentialBroker } from '../../src/credentials/credential-broker';
import { bearer } from './harness/app';
import { CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp } from './harness/clouds';

const run = promisify(execFile);
const MIN = 60;

interface Issued {
  provider: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  cached: boolean;
  notes?: string[];
}

/** Which executable the AWS CLI test uses, or why it is skipped. */
async function awsCli(): Promise<string | undefined> {
  try {
    await run('aws', ['--version'], { timeout: 20_000 });
    return 'aws';
  } catch {
    return undefined;
  }
}

describe('credential broker', () => {
  let t: CloudTestApp;
  let admin: string;
  let base: string;
  let broker: CredentialBroker;
  /** Seconds Tether's clock and the emulator's have been moved ahead, together. */
  let offsetSeconds = 0;

  const advance = (seconds: number) => {
    offsetSeconds += seconds;
    t.emulator.admin.advanceClock(seconds);
  };

  const post = async (id: string, token: string, body: object = {}) => {
    const response = await fetch(`${base}/connections/${id}/credentials`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Issued & { type?: string; detail?: string } };
  };

  const attempts = (roleArn: string) => t.emulator.admin.assumeRoleAttempts({ cloud: 'aws', roleArn }).filter((a) => a.outcome === 'ok').length;

  /** An installed AWS role connection, ready to issue credentials. */
  const readyConnection = async () => {
    const connection = await createRoleConnection(t, admin, 'aws');
    await installRole(t, admin, 'aws', connection);
    return connection;
  };

  const callerArn = async (c: Issued) => {
    const sts = new STSClient({ region: 'us-east-1', endpoint: t.seed.env.AWS_ENDPOINT_URL, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }, maxAttempts: 1 });
    try {
      return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
    } finally {
      sts.destroy();
    }
  };

  beforeAll(async () => {
    t = await startCloudTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    admin = (await t.workspace()).adminToken;
    broker = t.app.get(CredentialBroker);
    broker.useClock({ now: () => Date.now() + offsetSeconds * 1000 });
    t.emulator.admin.createAccount({ cloud: 'aws', id: CUSTOMER.aws.account, name: 'customer' });
  });
  afterAll(() => t?.close());

  it('turns 1,000 concurrent requests for a cold connection into exactly one AssumeRole', async () => {
    const connection = await readyConnection();
    const service = await t.token(admin, 'service', { connections: [connection.name] });
    const responses = await Promise.all(Array.from({ length: 1000 }, (_, i) => post(i % 2 ? connection.id : connection.name, service)));
    expect(responses.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    expect(attempts(connection.auth.roleArn)).toBe(1);
    expect(t.emulator.admin.assumeRoleAttempts({ roleArn: connection.auth.roleArn })[0]).toMatchObject({ externalId: connection.auth.externalId, durationSeconds: 3600 });
    const metrics = (await t.http.get('/metrics')).text;
    expect(Number(/tether_credential_cache_events_total\{event="hits"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/tether_credential_cache_entries [1-9]/);
    expect(new Set(responses.map((r) => r.body.accessKeyId)).size).toBe(1);
    // Callers that joined the one flight while STS answered are not cache hits, but share its keys (above).
    expect(responses.filter((r) => r.body.cached).length).toBeGreaterThan(0);
    const first = responses[0]!.body;
    expect(first).toMatchObject({ provider: 'aws', region: CUSTOMER.aws.region });
    expect(Date.parse(first.expiration) - Date.now() - offsetSeconds * 1000).toBeGreaterThan(55 * MIN * 1000);
    // The keys work: the emulator verifies the signature and answers with the assumed role.
    expect(await callerArn(first)).toContain(`:assumed-role/${connection.auth.roleArn.split('/').pop()}/`);
  });

  it('refreshes exactly once past the refresh point while callers keep getting valid keys', async () => {
    const connection = await readyConnection();
    const before = (await post(connection.id, admin)).body;
    advance(41 * MIN); // 19 minutes left: inside the 20 minute refresh window, above the 15 minute floor
    const during = await Promise.all(Array.from({ length: 200 }, () => post(connection.id, admin)));
    for (const r of during) {
      expect(r.status).toBe(200);
      expect(Date.parse(r.body.expiration) - (Date.now() + offsetSeconds * 1000)).toBeGreaterThan(15 * MIN * 1000);
    }
    await expect.poll(() => attempts(connection.auth.roleArn)).toBe(2);
    const after = (await post(connection.id, admin)).body;
    expect(after.accessKeyId).not.toBe(before.accessKeyId);
    expect(Date.parse(after.expiration)).toBeGreaterThan(Date.parse(before.expiration));
    await Promise.all(Array.from({ length: 100 }, () => post(connection.id, admin)));
    expect(attempts(connection.auth.roleArn)).toBe(2);
    expect(await callerArn(after)).toContain(':assumed-role/');
  });

  it('serves still-valid credentials while STS fails, and never expiring ones', async () => {
    const connection = await readyConnection();
    const before = (await post(connection.id, admin)).body;
    t.emulator.admin.addFault({ cloud: 'aws', service: 'sts', action: 'AssumeRole', code: 'ServiceUnavailable', status: 503 });
    try {
      advance(41 * MIN);
      await post(connection.id, admin); // starts the background refresh, which fails
      await expect.poll(async () => (await post(connection.id, admin)).body.notes?.join(' ') ?? '').toMatch(/Refreshing these credentials failed/);
      const degraded = await post(connection.id, admin);
      expect(degraded.status).toBe(200);
      expect(degraded.body.accessKeyId).toBe(before.accessKeyId);
      expect(await callerArn(degraded.body)).toContain(':assumed-role/');

      advance(5 * MIN); // 14 minutes left: below the floor, so no more
      const refused = await post(connection.id, admin);
      expect(refused.status).toBe(502);
      expect(refused.body.type).toBe('/problems/cloud-unavailable');
      expect(JSON.stringify(refused.body)).not.toContain(before.accessKeyId);
    } finally {
      t.emulator.admin.clearFaults();
    }
    const healed = await post(connection.id, admin);
    expect(healed.status).toBe(200);
    expect(healed.body.accessKeyId).not.toBe(before.accessKeyId);
  });

  it('refuses callers who may not have the credentials', async () => {
    const connection = await readyConnection();
    const other = await readyConnection();
    const granted = await t.token(admin, 'service', { connections: [other.name] });
    const viewer = await t.token(admin, 'viewer');
    const editor = await t.token(admin, 'editor');
    const stranger = (await t.workspace()).adminToken;
    expect((await post(connection.id, granted)).status).toBe(403);
    expect((await post(connection.id, viewer)).status).toBe(403);
    expect((await post(connection.id, editor)).status).toBe(403);
    expect((await post(connection.id, stranger)).status).toBe(404);
    expect((await post(connection.name, stranger)).status).toBe(404);
    expect((await fetch(`${base}/connections/${connection.id}/credentials`, { method: 'POST' })).status).toBe(401);
    expect((await post(connection.id, admin, { durationSeconds: 60 })).status).toBe(400);
    expect((await post(connection.id, admin, { surprise: true })).status).toBe(400);
    expect(attempts(connection.auth.roleArn)).toBe(0);
  });

  it('checks the token before the body and words a bad body as the ValidationPipe does everywhere', async () => {
    const connection = await readyConnection();
    const send = (body: string, headers: Record<string, string>) => fetch(`${base}/connections/${connection.id}/credentials`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const anonymous = await send('{"durationSeconds":60}', {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const cases: [string, { field: string; message: string }[]][] = [
      ['{"durationSeconds":60}', [{ field: 'durationSeconds', message: 'must not be less than 900' }]],
      ['{"durationSeconds":"900","sessionPolicy":[]}', expect.arrayContaining([expect.objectContaining({ field: 'durationSeconds' }), { field: 'sessionPolicy', message: 'must be an object' }])],
      ['{"surprise":true}', [{ field: 'surprise', message: 'is not a known field; remove it' }]],
      ['[]', [{ field: 'body', message: 'Validation failed (object is expected)' }]],
    ];
    for (const [body, errors] of cases) {
      const response = await send(body, bearer(admin));
      expect(response.status, body).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('x-request-id')).toBeTruthy();
      const problem = (await response.json()) as Record<string, unknown>;
      expect(problem, body).toMatchObject({ type: '/problems/invalid-request', status: 400, instance: `/connections/${connection.id}/credentials`, requestId: response.headers.get('x-request-id'), errors });
    }
    // An ordinary body with a policy is taken and issued for.
    const scoped = await send(JSON.stringify({ durationSeconds: 900, sessionPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } }), bearer(admin));
    expect(scoped.status).toBe(200);
    expect(attempts(connection.auth.roleArn)).toBe(1);
  });

  it('refuses an insecure connection with 409', async () => {
    const connection = await createRoleConnection(t, admin, 'aws');
    const rendered = (await t.http.get(`/connections/${connection.id}/trust-policy`).set(bearer(admin))).body;
    const open = structuredClone(rendered.trustPolicy);
    for (const statement of open.Statement) delete statement.Condition;
    await installRole(t, admin, 'aws', connection, { trustPolicy: open });
    expect((await post(connection.id, admin)).status).toBe(200);
    // Served from memory now: the validation below must still take effect at once.
    expect((await post(connection.id, admin)).body.cached).toBe(true);
    const validated = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
    expect(validated.body.status).toBe('insecure');
    const refused = await post(connection.id, admin);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('/problems/connection-insecure');
    await expect(broker.credentialsFor(await connectionRow(connection.id))).rejects.toMatchObject({ code: 'connection-insecure' });
  });

  it('refuses a deleted service token at once, although the token and the connection are cached', async () => {
    const connection = await readyConnection();
    const created = await t.http.post('/tokens').set(bearer(admin)).send({ name: `gone_${Date.now()}`, role: 'service', connections: [connection.name] });
    expect((await post(connection.id, created.body.token)).status).toBe(200);
    expect((await post(connection.id, created.body.token)).body.cached).toBe(true);
    expect((await t.http.delete(`/tokens/${created.body.id}`).set(bearer(admin))).status).toBe(204);
    const refused = await post(connection.id, created.body.token);
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.body)).not.toContain('accessKeyId');
  });

  it('stops serving cached credentials at once after a break-glass revoke', async () => {
    const connection = await readyConnection();
    const before = (await post(connection.id, admin)).body;
    expect((await post(connection.id, admin)).body.cached).toBe(true);
    expect((await t.http.post(`/connections/${connection.id}/revoke`).set(bearer(admin))).status).toBe(200);
    // The customer has not installed the new External ID yet: nothing is served, least of all the old keys.
    const refused = await post(connection.id, admin);
    expect(refused.status).toBe(502);
    expect(refused.body.type).toBe('/problems/cloud-access-denied');
    expect(JSON.stringify(refused.body)).not.toContain(before.accessKeyId);
  });

  it('sees a connection marked insecure by another replica within TETHER_LOOKUP_CACHE_SECONDS', async () => {
    const connection = await readyConnection();
    expect((await post(connection.id, admin)).status).toBe(200);
    // Another replica's posture sweep: only the row changes, this process is not told.
    await t.app.get(DataSource).query(`UPDATE connections SET validation_status = 'insecure' WHERE id = $1`, [connection.id]);
    expect((await post(connection.id, admin)).status).toBe(200);
    advance(t.config.lookupCacheSeconds);
    const refused = await post(connection.id, admin);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('/problems/connection-insecure');
  });

  const connectionRow = async (id: string) => {
    return t.app.get(DataSource).getRepository(ConnectionEntity).findOneByOrFail({ id });
  };

  it('keys the cache by duration class and session policy, and passes the duration limit of the cloud on', async () => {
    const connection = await readyConnection();
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' }] };
    const reordered = { Statement: [{ Resource: '*', Action: 'lambda:InvokeFunction', Effect: 'Allow' }], Version: '2012-10-17' };
    const a = await post(connection.id, admin, { durationSeconds: 1000 });
    const b = await post(connection.id, admin, { durationSeconds: 1200 });
    expect(a.body.notes?.[0]).toMatch(/rounded down to the duration class 900/);
    expect(b.body.accessKeyId).toBe(a.body.accessKeyId);
    const p1 = await post(connection.id, admin, { sessionPolicy: policy });
    const p2 = await post(connection.id, admin, { sessionPolicy: reordered });
    expect(p2.body.accessKeyId).toBe(p1.body.accessKeyId);
    expect(p1.body.accessKeyId).not.toBe(a.body.accessKeyId);
    // The role's MaxSessionDuration is one hour: the cloud's refusal comes back as a 422 naming it.
    const long = await post(connection.id, admin, { durationSeconds: 7200 });
    expect(long.status).toBe(422);
    expect(long.body.type).toBe('/problems/cloud-rejected-request');
    const seen = t.emulator.admin.assumeRoleAttempts({ roleArn: connection.auth.roleArn });
    expect(seen.map((s) => s.durationSeconds)).toEqual([900, 3600, 7200]);
    expect(seen.map((s) => s.outcome)).toEqual(['ok', 'ok', 'error']);
    // The emulator keeps the policy as STS received it: the JSON text.
    expect(JSON.parse(String(seen[1]!.sessionPolicy))).toEqual(policy);
  });

  it('makes a fresh STS call with the new External ID after a break-glass revoke', async () => {
    const connection = await readyConnection();
    const before = (await post(connection.id, admin)).body;
    expect(attempts(connection.auth.roleArn)).toBe(1);
    const revoked = await t.http.post(`/connections/${connection.id}/revoke`).set(bearer(admin));
    expect(revoked.status).toBe(200);
    // The customer installs the trust policy with the new External ID.
    const rendered = (await t.http.get(`/connections/${connection.id}/trust-policy`).set(bearer(admin))).body.trustPolicy;
    t.emulator.admin.putTrustPolicy({ cloud: 'aws', roleArn: connection.auth.roleArn, trustPolicy: rendered });
    const after = await post(connection.id, admin);
    expect(after.status).toBe(200);
    expect(after.body.accessKeyId).not.toBe(before.accessKeyId);
    expect(attempts(connection.auth.roleArn)).toBe(2);
    const last = t.emulator.admin.assumeRoleAttempts({ cloud: 'aws', roleArn: connection.auth.roleArn }).at(-1);
    expect(last).toMatchObject({ externalId: revoked.body.externalId });
  });

  it('drops cached credentials when the connection is edited or its External ID rotated', async () => {
    const connection = await readyConnection();
    const first = (await post(connection.id, admin)).body;
    const read = await t.http.get(`/connections/${connection.id}`).set(bearer(admin));
    const edited = await t.http.patch(`/connections/${connection.id}`).set(bearer(admin)).set('if-match', read.headers.etag).send({ comment: 'edited' });
    expect(edited.status).toBe(200);
    const leases = async () => (await t.app.get(DataSource).query('SELECT count(*)::int AS n FROM credential_leases WHERE connection_id = $1', [connection.id]))[0].n;
    await expect.poll(leases).toBe(0);
    const second = (await post(connection.id, admin)).body;
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(attempts(connection.auth.roleArn)).toBe(2);
  });

  it('mints session credentials from an access key and never returns the long-lived keys', async () => {
    const user = t.emulator.admin.createUser({ cloud: 'aws', account: CUSTOMER.aws.account, name: `loader-${Date.now()}`, policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }] });
    const name = `ak_${Date.now()}`;
    const created = await t.http
      .post('/connections')
      .set(bearer(admin))
      .send({ name, provider: 'aws', region: CUSTOMER.aws.region, auth: { type: 'access_key', accessKeyId: user.accessKeyId, secretAccessKey: { value: user.secret } } });
    expect(created.status).toBe(201);
    const service = await t.token(admin, 'service', { connections: [name] });
    const issued = await post(name, service);
    expect(issued.status).toBe(200);
    expect(issued.body.accessKeyId).not.toBe(user.accessKeyId);
    expect(issued.body.secretAccessKey).not.toBe(user.secret);
    expect(issued.body.sessionToken).not.toBe('');
    expect(JSON.stringify(issued.body)).not.toContain(user.secret);
    expect(await callerArn(issued.body)).toBe(user.arn);
    expect((await post(name, service)).body.accessKeyId).toBe(issued.body.accessKeyId);

    // Rotating the connection's secret drops what was minted from the old one.
    const secret = created.body.auth.secretAccessKey.secret as string;
    const again = t.emulator.admin.createAccessKey({ cloud: 'aws', userArn: user.arn });
    const read = await t.http.get(`/connections/${name}`).set(bearer(admin));
    const rotated = await t.http.put(`/secrets/${secret}/value`).set(bearer(admin)).send({ value: again.secret });
    expect(rotated.status).toBe(200);
    // The key id changes with the secret: edit the connection to the new key pair (another version).
    await t.http.patch(`/connections/${name}`).set(bearer(admin)).set('if-match', read.headers.etag).send({ auth: { type: 'access_key', accessKeyId: again.accessKeyId, secretAccessKey: { secret } } });
    const after = await post(name, service);
    expect(after.status).toBe(200);
    expect(after.body.accessKeyId).not.toBe(issued.body.accessKeyId);
    expect(await callerArn(after.body)).toBe(user.arn);
  });

  it('drops credentials minted from a secret when only the secret is rotated', async () => {
    const user = t.emulator.admin.createUser({ cloud: 'aws', account: CUSTOMER.aws.account, name: `rot-${Date.now()}`, policies: [] });
    const name = `akr_${Date.now()}`;
    const created = await t.http
      .post('/connections')
      .set(bearer(admin))
      .send({ name, provider: 'aws', region: CUSTOMER.aws.region, auth: { type: 'access_key', accessKeyId: user.accessKeyId, secretAccessKey: { value: user.secret } } });
    const first = await post(name, admin);
    expect(first.status).toBe(200);
    // A rotated value that no longer matches the key: a fresh mint must use it (and so fail).
    const secret = created.body.auth.secretAccessKey.secret as string;
    expect((await t.http.put(`/secrets/${secret}/value`).set(bearer(admin)).send({ value: 'x'.repeat(40) })).status).toBe(200);
    const after = await post(name, admin);
    expect(after.status).toBe(502);
    expect(after.body.type).toBe('/problems/cloud-access-denied');
  });

  it('says clearly where a cloud cannot mint session credentials from keys', async () => {
    const aliyun = await t.http
      .post('/connections')
      .set(bearer(admin))
      .send({ name: `ali_${Date.now()}`, provider: 'aliyun', region: CUSTOMER.aliyun.region, auth: { type: 'access_key', accessKeyId: 'LTAI5tExampleExample12', secretAccessKey: { value: 'a'.repeat(30) } } });
    expect(aliyun.status).toBe(201);
    const refused = await post(aliyun.body.id, admin);
    expect(refused.status).toBe(422);
    expect(refused.body.type).toBe('/problems/credentials-not-supported');
    expect(JSON.stringify(refused.body)).not.toContain('a'.repeat(30));

    const tencent = await t.http
      .post('/connections')
      .set(bearer(admin))
      .send({ name: `tc_${Date.now()}`, provider: 'tencent', region: CUSTOMER.tencent.region, functions: { namespace: 'default' }, auth: { type: 'access_key', accessKeyId: 'AKIDExampleExampleExampleExample1234', secretAccessKey: { value: 'b'.repeat(32) } } });
    expect(tencent.status).toBe(201);
    const noPolicy = await post(tencent.body.id, admin);
    expect(noPolicy.status).toBe(400);
    expect(noPolicy.body.detail).toMatch(/GetFederationToken/);
  });

  it('audits every issue without a key, and keeps keys out of the logs and the shared table', async () => {
    const connection = await readyConnection();
    const issued = (await post(connection.id, admin)).body;
    await t.app.get(AuditService).flush();
    // Cache hits of one caller for the same credentials are folded into one event with a count.
    await Promise.all(Array.from({ length: 25 }, () => post(connection.id, admin)));
    await t.app.get(AuditService).flush();
    const dataSource = t.app.get(DataSource);
    const events: { detail: Record<string, unknown>; outcome: string }[] = await dataSource.query(
      `SELECT detail, outcome FROM audit_events WHERE action = 'credentials.issue' AND connection_id = $1 ORDER BY seq`,
      [connection.id],
    );
    expect(events[0]).toMatchObject({ outcome: 'success', detail: { expiration: issued.expiration, durationSeconds: 3600, cacheHit: false } });
    const hits = events.slice(1);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.length).toBeLessThan(25);
    expect(hits.every((e) => e.detail.cacheHit === true && e.detail.expiration === issued.expiration)).toBe(true);
    expect(hits.reduce((sum, e) => sum + Number(e.detail.count ?? 1), 0)).toBe(25);
    const secrets = [issued.secretAccessKey, issued.sessionToken];
    for (const secret of secrets) {
      expect(JSON.stringify(events)).not.toContain(secret);
      expect(t.logs.join('\n')).not.toContain(secret);
    }
    const rows: { dump: string; sealed: Buffer }[] = await dataSource.query(`SELECT l::text AS dump, sealed FROM credential_leases l WHERE connection_id = $1`, [connection.id]);
    expect(rows).toHaveLength(1);
    for (const value of [...secrets, issued.accessKeyId]) {
      expect(rows[0]!.dump).not.toContain(value);
      expect(rows[0]!.sealed.includes(Buffer.from(value))).toBe(false);
    }
    expect(t.logs.join('\n')).toContain('credentials minted');
  });

  it('serves the AWS container-credentials format to the real AWS CLI', async (context) => {
    const aws = await awsCli();
    if (!aws) {
      context.skip('the AWS CLI (Debian package awscli) is not installed');
      return;
    }
    const connection = await readyConnection();
    const service = await t.token(admin, 'service', { connections: [connection.name] });
    const direct = await fetch(`${base}/connections/${connection.name}/credentials/container`, { headers: { authorization: service } });
    expect(direct.status).toBe(200);
    const body = (await direct.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['AccessKeyId', 'AccountId', 'Expiration', 'SecretAccessKey', 'Token']);
    expect(body.AccountId).toBe(CUSTOMER.aws.account);
    expect(body.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PYENV_ROOT: process.env.PYENV_ROOT,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/connections/${connection.id}/credentials/container`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: service,
      AWS_ENDPOINT_URL: t.seed.env.AWS_ENDPOINT_URL,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const { stdout } = await run(aws, ['sts', 'get-caller-identity', '--output', 'json'], { env, timeout: 60_000 });
    const identity = JSON.parse(stdout) as { Arn: string; Account: string };
    expect(identity.Account).toBe(CUSTOMER.aws.account);
    expect(identity.Arn).toContain(`:assumed-role/${connection.auth.roleArn.split('/').pop()}/`);
    expect(attempts(connection.auth.roleArn)).toBe(1);
  });

  it('prints credential_process JSON from the tether command', async () => {
    const connection = await readyConnection();
    const service = await t.token(admin, 'service', { connections: [connection.name] });
    const built = join(process.cwd(), 'dist/src/cli/tether.js');
    const [command, args] = existsSync(built) ? [process.execPath, [built]] : [join(process.cwd(), 'node_modules/.bin/tsx'), ['src/cli/tether.ts']];
    const env = { PATH: process.env.PATH, TETHER_URL: base, TETHER_TOKEN: service };
    const { stdout } = await run(command, [...args, 'credentials', connection.name, '--format', 'process'], { env, timeout: 60_000 });
    const printed = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(printed)).toEqual(['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    expect(printed.Version).toBe(1);
    expect(await callerArn({ accessKeyId: printed.AccessKeyId, secretAccessKey: printed.SecretAccessKey, sessionToken: printed.SessionToken } as Issued)).toContain(':assumed-role/');

    const refused = await run(command, [...args, 'credentials', connection.name, '--format', 'process'], { env: { ...env, TETHER_TOKEN: 'wrong-token' }, timeout: 60_000 }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toMatch(/401/);
  });
});
