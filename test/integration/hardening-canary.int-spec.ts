import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../src/audit/audit.service';
import { buildPackage } from '../emulators/core/packages';
import { exampleOf, fillPath, liveOperations } from '../hardening/api-surface';
import { bearer } from './harness/app';
import { CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp } from './harness/clouds';

interface Seen {
  label: string;
  status: number;
  headers: Record<string, unknown>;
  text: string;
  /** The credentials calls themselves, which are the one place minted keys may appear. */
  credentials: boolean;
}

const canary = (kind: string) => `CANARY${kind}${randomBytes(12).toString('hex')}`;

/**
 * Distinctive secret values, and the keys Tether mints, never leave through a response (other
 * than the credentials call), a header, a log line, or the database in plaintext.
 */
describe('secret canary', () => {
  let t: CloudTestApp;
  let admin: string;
  const seen: Seen[] = [];
  const canaries: Record<string, string> = {
    secret: canary('secret'),
    rotated: canary('rotated'),
    inline: canary('inline'),
    session: canary('session'),
    environment: canary('environment'),
  };

  const call = async (method: string, url: string, body?: unknown, token = admin) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const response = await t.app.getHttpAdapter().getInstance().inject({ method: method as 'GET', url, headers: { ...bearer(token), ...(payload ? { 'content-type': 'application/json' } : {}) }, payload });
    const entry = { label: `${method} ${url}`, status: response.statusCode, headers: response.headers, text: response.body, credentials: /\/credentials(\/container)?$/.test(url.split('?')[0]) };
    seen.push(entry);
    return { ...entry, body: safeJson(response.body) };
  };

  beforeAll(async () => {
    t = await startCloudTestApp({ TETHER_RATE_LIMIT_PER_MINUTE: '10000000' });
    admin = (await t.workspace()).adminToken;
  });
  afterAll(() => t?.close());

  it('keeps secret values and minted keys out of responses, headers, logs and the database', async () => {
    const ops = liveOperations(t.app);
    // Writes that carry secret values, and mistakes around them that answer errors.
    expect((await call('POST', '/secrets', { name: 'canary_secret', value: canaries.secret })).status).toBe(201);
    const keyed = await call('POST', '/connections', {
      name: 'canary_keys',
      provider: 'aws',
      region: 'us-east-1',
      auth: { type: 'access_key', accessKeyId: 'AKIACANARYCANARY0001', secretAccessKey: { secret: 'canary_secret' }, sessionToken: { value: canaries.session } },
    });
    expect(keyed.status, keyed.text).toBe(201);
    const inline = await call('POST', '/connections', { name: 'canary_inline', provider: 'aws', region: 'us-east-1', auth: { type: 'access_key', accessKeyId: 'AKIACANARYCANARY0002', secretAccessKey: { value: canaries.inline } } });
    expect(inline.status, inline.text).toBe(201);
    expect((await call('PUT', '/secrets/canary_secret/value', { value: canaries.rotated })).status).toBe(200);
    const mistakes = [
      await call('POST', '/secrets', { name: 'not a name!', value: canaries.secret }),
      await call('POST', '/secrets', { name: 'canary_secret', value: canaries.secret }),
      await call('POST', '/secrets', { name: 'canary_other', value: canaries.secret, extra: canaries.secret }),
      await call('PUT', '/secrets/missing_secret/value', { value: canaries.rotated }),
      await call('PUT', '/secrets/canary_secret/value', { value: [canaries.rotated] }),
      await call('POST', '/connections', { name: 'canary_bad', provider: 'aws', region: 'us-east-1', auth: { type: 'assume_role', roleArn: 'arn:aws:iam::222222222222:role/x', secretAccessKey: { value: canaries.inline } } }),
      await call('POST', '/connections', { name: 'canary_bad2', provider: 'aws', region: 'us-east-1', auth: { type: 'access_key', accessKeyId: 'AKIA', secretAccessKey: { value: canaries.inline, secret: 'canary_secret' } } }),
      await call('POST', '/connections', { name: 'canary_keys', provider: 'aws', region: 'us-east-1', auth: { type: 'access_key', accessKeyId: 'AKIA', secretAccessKey: { value: canaries.inline } } }),
    ];
    for (const m of mistakes) expect(m.status, `${m.label}: ${m.text}`).toBeGreaterThanOrEqual(400);
    // The keys go to the cloud (which refuses them), and the refusal comes back.
    await call('POST', `/connections/${keyed.body!.id}/validate`);
    await call('POST', `/connections/${inline.body!.id}/validate`);
    await call('POST', `/connections/${inline.body!.id}/credentials`, {});

    // A role connection: the keys Tether mints become canaries too.
    const role = await createRoleConnection(t, admin, 'aws', { name: 'canary_role' });
    await installRole(t, admin, 'aws', role as never);
    t.emulator.admin.createFunction({ cloud: 'aws', account: CUSTOMER.aws.account, region: CUSTOMER.aws.region, name: 'echo', behaviour: { type: 'echo' } });
    const credentialsRoute = ops.some((op) => op.method === 'POST' && op.path === '/connections/{id}/credentials');
    if (credentialsRoute) {
      const minted = await call('POST', `/connections/${role.id}/credentials`, {});
      expect(minted.status, minted.text).toBe(200);
      canaries.mintedSecret = minted.body!.secretAccessKey;
      canaries.mintedSession = minted.body!.sessionToken;
      const scoped = await call('POST', `/connections/${role.id}/credentials`, { durationSeconds: 900, sessionPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' }] } });
      if (scoped.status === 200) {
        canaries.scopedSecret = scoped.body!.secretAccessKey;
        canaries.scopedSession = scoped.body!.sessionToken;
      }
    } else {
      console.log('[hardening] canary: no POST /connections/{id}/credentials in the live document; minted keys not checked');
    }
    await call('POST', `/connections/${role.id}/validate`);

    // A deployed function whose environment holds the secret (by reference) and a literal canary: both are sealed in function_deployments.
    const deployer = await call('POST', '/connections', {
      name: 'canary_deployer',
      provider: 'aws',
      region: CUSTOMER.aws.region,
      auth: { type: 'assume_role', roleArn: `arn:aws:iam::${CUSTOMER.aws.account}:role/canary-deployer` },
      functions: { codeBucket: 'canary-code', capabilities: ['invoke', 'deploy'], executionRoleArn: `arn:aws:iam::${CUSTOMER.aws.account}:role/canary-exec` },
    });
    expect(deployer.status, deployer.text).toBe(201);
    await installRole(t, admin, 'aws', deployer.body as never);
    t.emulator.admin.createBucket({ account: CUSTOMER.aws.account, name: 'canary-code', region: CUSTOMER.aws.region });
    t.emulator.admin.createRole({ cloud: 'aws', account: CUSTOMER.aws.account, name: 'canary-exec', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, permissionPolicies: [] });
    const uploaded = await t.app.getHttpAdapter().getInstance().inject({ method: 'PUT', url: '/connections/canary_deployer/code/udf/echo.zip', headers: { ...bearer(admin), 'content-type': 'application/zip' }, payload: buildPackage({ type: 'echo' }) });
    seen.push({ label: 'PUT code', status: uploaded.statusCode, headers: uploaded.headers, text: uploaded.body, credentials: false });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    const environment = { FROM_SECRET: { secret: 'canary_secret' }, LITERAL: canaries.environment };
    const deployed = await call('PUT', '/connections/canary_deployer/functions/echo', { runtime: 'python3.12', handler: 'index.handler', code: { key: 'udf/echo.zip' }, environment });
    expect(deployed.status, deployed.text).toBe(200);
    await call('PUT', '/connections/canary_deployer/functions/echo', { runtime: 'python3.12', handler: 'index.handler', code: { key: 'udf/echo.zip' }, environment: { ...environment, MISSING: { secret: 'no_such_secret' } } });
    await call('GET', '/connections/canary_deployer/functions/echo');
    expect((await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM function_deployments`))[0].n).toBe(1);

    // Every operation once more, with valid-looking input, so every read path and error path shows what it holds.
    const ids: Record<string, string> = { connections: role.id, secrets: 'canary_secret', tokens: '00000000-0000-4000-8000-000000000000' };
    for (const op of ops.filter((o) => !o.isPublic || o.method === 'GET')) {
      if (op.method === 'DELETE' || op.bootstrapOnly) continue;
      for (const id of op.path.includes('{id}') ? [ids[op.path.split('/')[1]] ?? role.id, keyed.body!.id, inline.body!.id] : ['']) {
        const query = op.parameters.filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(String(exampleOf(p.schema)))}`);
        const url = fillPath(op.path, { id: id || 'x', function: 'echo', key: 'udf/echo.zip' }) + (query.length ? `?${query.join('&')}` : '');
        await call(op.method, url, op.body ? exampleOf(op.body) : undefined);
      }
    }
    for (const extra of ['/openapi.json', '/audit-events/export?limit=200', '/audit-events?limit=200', '/metrics']) await call('GET', extra);
    await t.app.get(AuditService).flush();

    const values = Object.entries(canaries);
    const leaks: string[] = [];
    for (const response of seen) {
      for (const [name, value] of values) {
        const minted = name.startsWith('minted') || name.startsWith('scoped');
        if (response.credentials && minted) continue;
        if (response.text.includes(value)) leaks.push(`${name} in the body of ${response.label} (${response.status})`);
        if (JSON.stringify(response.headers).includes(value)) leaks.push(`${name} in a header of ${response.label}`);
      }
    }
    for (const line of t.logs) for (const [name, value] of values) if (line.includes(value)) leaks.push(`${name} in a log line: ${line.slice(0, 200)}`);

    // The database, every table, as text and as raw bytes.
    const db = t.app.get(DataSource);
    const tables: { table_name: string }[] = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
    let rows = 0;
    for (const { table_name } of tables) {
      for (const { row } of (await db.query(`SELECT t::text AS row FROM "${table_name}" t`)) as { row: string }[]) {
        rows += 1;
        for (const [name, value] of values) if (row.includes(value) || row.includes(Buffer.from(value).toString('hex'))) leaks.push(`${name} in plaintext in table ${table_name}`);
      }
    }
    const byteaColumns: { table_name: string; column_name: string }[] = await db.query(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'bytea'`);
    let blobs = 0;
    for (const { table_name, column_name } of byteaColumns) {
      for (const { v } of (await db.query(`SELECT "${column_name}" AS v FROM "${table_name}" WHERE "${column_name}" IS NOT NULL`)) as { v: Buffer }[]) {
        blobs += 1;
        for (const [name, value] of values) if (Buffer.from(v).includes(Buffer.from(value))) leaks.push(`${name} as raw bytes in ${table_name}.${column_name}`);
      }
    }
    const events = (await db.query(`SELECT count(*)::int AS n FROM audit_events`))[0].n as number;
    console.log(`[hardening] canary: ${values.length} canaries; ${seen.length} responses, ${t.logs.length} log lines, ${tables.length} tables / ${rows} rows (${events} audit events), ${blobs} bytea values scanned`);
    expect(seen.filter((s) => s.status >= 500 && s.status !== 502)).toEqual([]);
    expect(rows).toBeGreaterThan(10);
    // The scanner sees a canary where one is allowed to be: the credentials answer itself.
    if (canaries.mintedSecret) expect(seen.some((s) => s.credentials && s.text.includes(canaries.mintedSecret))).toBe(true);
    expect(leaks).toEqual([]);
  });
});

function safeJson(text: string): Record<string, any> | undefined {
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch {
    return undefined;
  }
}
