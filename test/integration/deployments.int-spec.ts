import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../src/audit/audit.service';
import { DeploymentsService } from '../../src/functions/deployments.service';
import { resealDeployments } from '../../src/functions/reseal-deployments';
import { Keyring } from '../../src/secrets/keyring';
import { buildPackage } from '../emulators/core/packages';
import type { FunctionBehaviour } from '../emulators/core/state';
import { bearer } from './harness/app';
import { Cloud, CloudTestApp, CUSTOMER, installRole, roleArnOf, startCloudTestApp } from './harness/clouds';

const LIMIT_BYTES = 256 * 1024;
/** COS bucket names end in the owner's APPID. */
const TENCENT_APPID = '1250000000';

/** Per cloud: the runtime and handler spelling, a bucket name the cloud accepts, and the execution role's trust. */
const CLOUD_SETUP: Record<Cloud, { runtime: string; handler: string; memoryMb: number; bucket: () => string; execTrust: unknown; write: string[]; unknownRuntime: string }> = {
  aws: {
    runtime: 'python3.12',
    unknownRuntime: 'python2.7',
    handler: 'index.handler',
    memoryMb: 256,
    bucket: () => `tether-code-${randomBytes(4).toString('hex')}`,
    execTrust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    write: ['aws:lambda:CreateFunction', 'aws:lambda:UpdateFunctionCode', 'aws:lambda:UpdateFunctionConfiguration', 'aws:lambda:PublishVersion', 'aws:lambda:DeleteFunction'],
  },
  aliyun: {
    runtime: 'python3.10',
    unknownRuntime: 'cobol85',
    handler: 'index.handler',
    memoryMb: 256,
    bucket: () => `tether-code-${randomBytes(4).toString('hex')}`,
    execTrust: { Version: '1', Statement: [{ Effect: 'Allow', Principal: { Service: ['fc.aliyuncs.com'] }, Action: 'sts:AssumeRole' }] },
    write: ['aliyun:fc:CreateFunction', 'aliyun:fc:UpdateFunction', 'aliyun:fc:CreateService', 'aliyun:fc:PublishServiceVersion', 'aliyun:fc:DeleteFunction'],
  },
  tencent: {
    runtime: 'Python3.9',
    unknownRuntime: 'Cobol85',
    handler: 'index.main_handler',
    memoryMb: 256,
    bucket: () => `tether-code-${randomBytes(3).toString('hex')}-${TENCENT_APPID}`,
    execTrust: { version: '2.0', statement: [{ effect: 'allow', principal: { service: ['scf.qcloud.com'] }, action: ['name/sts:AssumeRole'] }] },
    write: ['tencent:scf:CreateFunction', 'tencent:scf:UpdateFunctionCode', 'tencent:scf:UpdateFunctionConfiguration', 'tencent:scf:PublishVersion', 'tencent:scf:DeleteFunction'],
  },
};

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

describe('function deployment', () => {
  let t: CloudTestApp;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startCloudTestApp({ TETHER_CODE_PACKAGE_LIMIT_BYTES: String(LIMIT_BYTES) });
    ({ adminToken: admin } = await t.workspace());
    viewer = await t.token(admin, 'viewer');
    // Same backoff shape, shorter waits: the tests prove the wait ends at Active, not how long it takes.
    t.app.get(DeploymentsService).waitPolicy = { ...t.app.get(DeploymentsService).waitPolicy, firstDelayMs: 20, maxDelayMs: 100 };
    t.emulator.admin.configureDeployment({ pendingMs: 150 });
  });
  afterAll(() => t?.close());

  const writes = (cloud: Cloud) => {
    const calls = t.emulator.admin.counters().calls as Record<string, number>;
    return Object.fromEntries(CLOUD_SETUP[cloud].write.map((name) => [name, calls[name] ?? 0]));
  };

  describe.each(['aws', 'aliyun', 'tencent'] as const)('%s', (cloud) => {
    const customer = CUSTOMER[cloud];
    const setup = CLOUD_SETUP[cloud];
    const bucket = setup.bucket();
    const fn = `score_${randomBytes(3).toString('hex')}`;
    const secretValue = `CANARYenv${randomBytes(12).toString('hex')}`;
    const literalValue = `CANARYliteral${randomBytes(12).toString('hex')}`;
    let connection: { id: string; name: string; auth: { roleArn: string } };
    const seen: string[] = [];

    const createConnection = async (name: string, capabilities: string[], namespace: string | undefined = 'namespace' in customer ? customer.namespace : undefined) => {
      const roleName = `deployer-${randomBytes(3).toString('hex')}`;
      const response = await t.http
        .post('/connections')
        .set(bearer(admin))
        .send({
          name,
          provider: cloud,
          region: customer.region,
          auth: { type: 'assume_role', roleArn: roleArnOf(cloud, roleName) },
          functions: { ...(namespace ? { namespace } : {}), codeBucket: bucket, capabilities, executionRoleArn: roleArnOf(cloud, 'udf-exec') },
        });
      expect(response.status, response.text).toBe(201);
      return response.body as { id: string; name: string; auth: { roleArn: string } };
    };
    const upload = (body: Buffer, key = 'udf/score.zip', conn = connection.name, token = admin) =>
      t.http.put(`/connections/${conn}/code/${key}`).set(bearer(token)).set('content-type', 'application/zip').send(body);
    const deploy = (body: Record<string, unknown>, conn = connection.name, token = admin, name = fn) =>
      t.http.put(`/connections/${conn}/functions/${name}`).set(bearer(token)).send({ runtime: setup.runtime, handler: setup.handler, code: { key: 'udf/score.zip' }, memoryMb: setup.memoryMb, timeoutSeconds: 30, ...body });
    const invoke = (name = fn) => t.http.post(`/connections/${connection.name}/functions/${name}/invoke`).set(bearer(admin)).send({ payload: { n: 1 } });
    const keep = <T extends { text: string }>(response: T) => {
      seen.push(response.text);
      return response;
    };
    const pkg = (behaviour: FunctionBehaviour) => buildPackage(behaviour);

    beforeAll(async () => {
      try {
        t.emulator.admin.createAccount({ cloud, id: customer.account, name: 'customer', ...(cloud === 'tencent' ? { appId: TENCENT_APPID } : {}) });
      } catch {
        // the account exists already
      }
      t.emulator.admin.createBucket({ cloud, account: customer.account, name: bucket, region: customer.region });
      try {
        t.emulator.admin.createRole({ cloud, account: customer.account, name: 'udf-exec', trustPolicy: setup.execTrust, permissionPolicies: [] });
      } catch {
        // made by an earlier cloud's block in the same account
      }
      connection = await createConnection(`${cloud}_deploy`, ['invoke', 'deploy']);
      await installRole(t, admin, cloud, connection);
      expect((await t.http.post('/secrets').set(bearer(admin)).send({ name: `${cloud}_score_key`, value: secretValue })).status).toBe(201);
    });

    it('uploads a package and lists it', async () => {
      const zip = pkg({ type: 'reply', body: { version: 1 } });
      const response = keep(await upload(zip));
      expect(response.status, response.text).toBe(200);
      expect(response.body).toEqual({ key: 'udf/score.zip', size: zip.length, sha256: sha256(zip) });
      const listed = await t.http.get(`/connections/${connection.name}/code?prefix=udf/`).set(bearer(viewer));
      expect(listed.status, listed.text).toBe(200);
      expect(listed.body.items).toContainEqual({ key: 'udf/score.zip', size: zip.length, lastModified: expect.any(String) });
      expect(listed.body.nextCursor).toBeNull();
    });

    it('deploys it, waits until active, and the function behaves as the package says', async () => {
      const before = writes(cloud);
      const response = keep(await deploy({ environment: { MODE: literalValue, API_KEY: { secret: `${cloud}_score_key` } } }));
      expect(response.status, response.text).toBe(200);
      expect(response.body).toEqual({ name: fn, state: 'active', runtime: setup.runtime, handler: setup.handler, codeSha256: sha256(pkg({ type: 'reply', body: { version: 1 } })), version: null, changed: true });
      expect(writes(cloud)[setup.write[0]]).toBeGreaterThan(before[setup.write[0]]);
      const invoked = await invoke();
      expect(invoked.status, invoked.text).toBe(200);
      expect(invoked.body.payload).toEqual({ version: 1 });
    });

    it('answers an identical deploy with changed:false and no write call to the cloud', async () => {
      const before = writes(cloud);
      const response = keep(await deploy({ environment: { API_KEY: { secret: `${cloud}_score_key` }, MODE: literalValue } }));
      expect(response.status, response.text).toBe(200);
      expect(response.body).toMatchObject({ name: fn, state: 'active', changed: false });
      expect(writes(cloud)).toEqual(before);
    });

    it('reads and lists the function with environment names only', async () => {
      const read = keep(await t.http.get(`/connections/${connection.name}/functions/${fn}`).set(bearer(viewer)));
      expect(read.status, read.text).toBe(200);
      expect(read.body).toMatchObject({ name: fn, state: 'active', runtime: setup.runtime, handler: setup.handler, memoryMb: setup.memoryMb, timeoutSeconds: 30, environmentKeys: ['API_KEY', 'MODE'], deployment: { codeKey: 'udf/score.zip', codeSha256: sha256(pkg({ type: 'reply', body: { version: 1 } })) } });
      expect(typeof read.body.lastModified).toBe('string');
      const listed = keep(await t.http.get(`/connections/${connection.name}/functions`).set(bearer(viewer)));
      expect(listed.status, listed.text).toBe(200);
      expect(listed.body.items.map((f: { name: string }) => f.name)).toContain(fn);
    });

    it('deploys a changed package: only the code is rewritten, and the new behaviour runs', async () => {
      const zip = pkg({ type: 'reply', body: { version: 2 } });
      expect((await upload(zip)).status).toBe(200);
      const response = keep(await deploy({ environment: { MODE: literalValue, API_KEY: { secret: `${cloud}_score_key` } }, publish: true }));
      expect(response.status, response.text).toBe(200);
      expect(response.body).toMatchObject({ changed: true, state: 'active', codeSha256: sha256(zip), version: expect.any(String) });
      const invoked = await invoke();
      expect(invoked.body.payload).toEqual({ version: 2 });
      // Published already for this code and configuration: asking again publishes nothing.
      const before = writes(cloud);
      const again = await deploy({ environment: { MODE: literalValue, API_KEY: { secret: `${cloud}_score_key` } }, publish: true });
      expect(again.body).toMatchObject({ changed: false, version: response.body.version });
      expect(writes(cloud)).toEqual(before);
    });

    it('rewrites only the configuration when an environment value changes', async () => {
      const response = keep(await deploy({ environment: { MODE: 'other', API_KEY: { secret: `${cloud}_score_key` } } }));
      expect(response.status, response.text).toBe(200);
      expect(response.body.changed).toBe(true);
      const events = await auditOf('function.deploy');
      expect(events.at(-1)!.detail).toMatchObject({ outcome: 'updated', updated: ['configuration'] });
    });

    it('refuses what the cloud would refuse, naming the field', async () => {
      const badRuntime = await deploy({ runtime: 'not a runtime' });
      expect(badRuntime.status, badRuntime.text).toBe(400);
      expect(badRuntime.body.errors).toContainEqual({ field: 'runtime', message: expect.any(String) });
      // Spelled like a runtime, refused by the cloud: its refusal names the field too.
      const unknownRuntime = await deploy({ runtime: setup.unknownRuntime }, connection.name, admin, `badrt_${randomBytes(3).toString('hex')}`);
      expect(unknownRuntime.status, unknownRuntime.text).toBe(422);
      expect(unknownRuntime.body).toMatchObject({ type: '/problems/cloud-rejected-request', cloudCode: expect.any(String), errors: [{ field: 'runtime', message: expect.any(String) }] });
      const memory = await deploy({ memoryMb: 50_000 });
      expect(memory.status).toBe(400);
      expect(memory.body.errors.map((e: { field: string }) => e.field)).toContain('memoryMb');
      const missing = await deploy({ code: { key: 'udf/missing.zip' } });
      expect(missing.status, missing.text).toBe(422);
      expect(missing.body.errors).toContainEqual({ field: 'code.key', message: expect.any(String) });
      const secret = await deploy({ environment: { API_KEY: { secret: 'no_such_secret' } } });
      expect(secret.status, secret.text).toBe(422);
      expect(secret.body.errors).toContainEqual({ field: 'environment.API_KEY', message: expect.stringContaining('no_such_secret') });
      const envName = await deploy({ environment: { 'bad-name': 'x' } });
      expect(envName.status).toBe(400);
      const badKey = await upload(pkg({ type: 'echo' }), 'udf/..%2F..%2Fescape.zip');
      expect(badKey.status, badKey.text).toBe(400);
      expect(badKey.body.errors).toContainEqual({ field: 'key', message: expect.stringContaining('..') });
      const notZip = await upload(Buffer.from('just text, not a zip'));
      expect(notZip.status, notZip.text).toBe(422);
    });

    it('refuses a package over TETHER_CODE_PACKAGE_LIMIT_BYTES with a 413, declared or streamed', async () => {
      const big = Buffer.concat([pkg({ type: 'echo' }), randomBytes(LIMIT_BYTES)]);
      const declared = await upload(big, 'udf/big.zip');
      expect(declared.status, declared.text).toBe(413);
      expect(declared.body.type).toBe('/problems/code-package-too-large');
      // No Content-Length: the limit is enforced while the body streams in.
      const streamed = await t.app.getHttpAdapter().getInstance().inject({ method: 'PUT', url: `/connections/${connection.name}/code/udf/big.zip`, headers: { ...bearer(admin), 'content-type': 'application/octet-stream' }, payload: Readable.from([big.subarray(0, 100_000), big.subarray(100_000)]) });
      expect(streamed.statusCode, streamed.body).toBe(413);
      const listed = await t.http.get(`/connections/${connection.name}/code?prefix=udf/big`).set(bearer(admin));
      expect(listed.body.items).toEqual([]);
    });

    it('refuses a connection without the deploy capability with a 403 naming it, and viewers', async () => {
      const invokeOnly = await createConnection(`${cloud}_invoke_only`, ['invoke']);
      for (const response of [await upload(pkg({ type: 'echo' }), 'udf/x.zip', invokeOnly.name), await deploy({}, invokeOnly.name), await t.http.delete(`/connections/${invokeOnly.name}/functions/${fn}`).set(bearer(admin))]) {
        expect(response.status, response.text).toBe(403);
        expect(response.body.type).toBe('/problems/capability-missing');
        expect(response.body.detail).toContain('deploy');
        expect(response.body.detail).toContain('trust-policy');
      }
      const byViewer = await deploy({}, connection.name, viewer);
      expect(byViewer.status).toBe(403);
      expect(byViewer.body.type).toBe('/problems/forbidden');
    });

    it('names the execution role when the connection\'s role may not pass it', async () => {
      // FC passes the role when it creates the service, so the Aliyun connection gets a service of its own.
      const noPass = await createConnection(`${cloud}_no_pass`, ['invoke', 'deploy'], cloud === 'aliyun' ? `nopass_${randomBytes(3).toString('hex')}` : undefined);
      const rendered = await t.http.get(`/connections/${noPass.id}/trust-policy`).set(bearer(admin));
      const withoutPassRole = stripPassRole(cloud, rendered.body.permissionPolicy);
      await installRole(t, admin, cloud, noPass, { permissionPolicy: withoutPassRole });
      const response = await deploy({}, noPass.name, admin, `nopass_${randomBytes(3).toString('hex')}`);
      expect(response.status, response.text).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body.errors).toContainEqual({ field: 'functions.executionRoleArn', message: expect.stringContaining(roleArnOf(cloud, 'udf-exec')) });
      expect(response.body.cloudCode).toEqual(expect.any(String));
    });

    it('drops the function and its record; a second drop is a 404', async () => {
      const before = writes(cloud);
      const dropped = await t.http.delete(`/connections/${connection.name}/functions/${fn}`).set(bearer(admin));
      expect(dropped.status, dropped.text).toBe(204);
      expect(writes(cloud)[setup.write[4]]).toBe(before[setup.write[4]] + 1);
      expect((await t.http.get(`/connections/${connection.name}/functions/${fn}`).set(bearer(admin))).status).toBe(404);
      const again = await t.http.delete(`/connections/${connection.name}/functions/${fn}`).set(bearer(admin));
      expect(again.status, again.text).toBe(404);
      expect(again.body.type).toBe('/problems/function-not-found');
      const rows = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM function_deployments WHERE connection_id = $1 AND function_name = $2`, [connection.id, fn]);
      expect(rows[0].n).toBe(0);
    });

    it('audits uploads, deploys and the drop with the package hash and never an environment value', async () => {
      const uploads = await auditOf('code.upload');
      expect(uploads.filter((e) => e.outcome === 'success' && e.connection_id === connection.id).map((e) => e.detail)).toContainEqual(expect.objectContaining({ key: 'udf/score.zip', sha256: sha256(pkg({ type: 'reply', body: { version: 2 } })) }));
      const deploys = (await auditOf('function.deploy')).filter((e) => e.outcome === 'success' && e.target_id === fn);
      expect(deploys.map((e) => e.detail.outcome)).toEqual(['created', 'unchanged', 'updated', 'unchanged', 'updated']);
      expect(deploys[0].detail).toMatchObject({ codeKey: 'udf/score.zip', codeSha256: sha256(pkg({ type: 'reply', body: { version: 1 } })), environmentNames: ['API_KEY', 'MODE'] });
      expect((await auditOf('function.drop')).filter((e) => e.outcome === 'success' && e.target_id === fn)).toHaveLength(1);
    });

    it('keeps environment values out of responses, logs and every table', async () => {
      await t.app.get(AuditService).flush();
      const db = t.app.get(DataSource);
      const leaks: string[] = [];
      for (const [name, value] of [['secret', secretValue], ['literal', literalValue]] as const) {
        if (seen.some((text) => text.includes(value))) leaks.push(`${name} in a response`);
        if (t.logs.some((line) => line.includes(value))) leaks.push(`${name} in a log line`);
        const tables: { table_name: string }[] = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
        expect(tables.map((r) => r.table_name)).toContain('function_deployments');
        for (const { table_name } of tables) {
          const rows: { row: string }[] = await db.query(`SELECT t::text AS row FROM "${table_name}" t`);
          if (rows.some(({ row }) => row.includes(value) || row.includes(Buffer.from(value).toString('hex')))) leaks.push(`${name} in table ${table_name}`);
        }
      }
      expect(leaks).toEqual([]);
    });

    it('re-seals the stored environment under a new first key, and the next identical deploy still writes nothing', async () => {
      const keep = `${cloud}_kept_${randomBytes(3).toString('hex')}`;
      expect((await deploy({ environment: { MODE: literalValue } }, connection.name, admin, keep)).status).toBe(200);
      const db = t.app.get(DataSource);
      const old = t.app.get(Keyring);
      const rotated = new Keyring([{ id: `rotated-${cloud}`, key: randomBytes(32) }, ...t.config.masterKeys!]);
      const outcome = await resealDeployments(db, rotated);
      expect(outcome.unopenable).toEqual([]);
      expect(outcome.resealed).toBeGreaterThan(0);
      const [row] = await db.query(`SELECT key_id FROM function_deployments WHERE connection_id = $1 AND function_name = $2`, [connection.id, keep]);
      expect(row.key_id).toBe(`rotated-${cloud}`);
      // The running app's keyring is the old one: a rotated row it cannot open makes the next deploy rewrite the configuration, never fail.
      expect(old.currentKeyId).not.toBe(`rotated-${cloud}`);
      const again = await deploy({ environment: { MODE: literalValue } }, connection.name, admin, keep);
      expect(again.status, again.text).toBe(200);
      expect(again.body.changed).toBe(true);
      expect((await t.http.delete(`/connections/${connection.name}/functions/${keep}`).set(bearer(admin))).status).toBe(204);
    });

    async function auditOf(action: string): Promise<{ outcome: string; target_id: string; connection_id: string; detail: Record<string, any> }[]> {
      await t.app.get(AuditService).flush();
      return t.app.get(DataSource).query(`SELECT outcome, target_id, connection_id, detail FROM audit_events WHERE action = $1 ORDER BY seq`, [action]);
    }
  });
});

/** The rendered permission policy without its PassRole grant, in the cloud's own policy language. */
function stripPassRole(cloud: Cloud, policy: Record<string, any>): Record<string, unknown> {
  if (cloud === 'tencent') return { ...policy, statement: policy.statement.filter((s: { action: string[] }) => !s.action.some((a) => /PassRole/i.test(a))) };
  return { ...policy, Statement: policy.Statement.filter((s: { Action: string[] | string }) => ![s.Action].flat().some((a) => /PassRole/i.test(a))) };
}
