import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderRegistry } from '../../src/providers';
import { bearer } from './harness/app';
import { Cloud, CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp } from './harness/clouds';

/** The rendered trust policy with its External ID condition taken out, as a careless customer might install it. */
function withoutCondition(trustPolicy: any): any {
  const copy = structuredClone(trustPolicy);
  for (const statement of copy.Statement ?? copy.statement) {
    delete statement.Condition;
    delete statement.condition;
  }
  return copy;
}

const statuses = (body: { checks: { name: string; status: string }[] }) => Object.fromEntries(body.checks.map((c) => [c.name, c.status]));

describe.each<Cloud>(['aws', 'aliyun', 'tencent'])('validation on %s', (cloud) => {
  let t: CloudTestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startCloudTestApp();
    admin = (await t.workspace()).adminToken;
    t.emulator.admin.createAccount({ cloud, id: CUSTOMER[cloud].account, name: 'customer' });
    t.emulator.admin.createFunction({ cloud, account: CUSTOMER[cloud].account, region: CUSTOMER[cloud].region, name: 'score', ...(cloud === 'aliyun' ? { service: 'udf' } : {}), behaviour: { type: 'echo' } });
  });
  afterAll(() => t.close());

  const policyOf = async (id: string) => (await t.http.get(`/connections/${id}/trust-policy`).set(bearer(admin))).body;

  it('passes with the policies Tether rendered, and keeps the result', async () => {
    const connection = await createRoleConnection(t, admin, cloud);
    await installRole(t, admin, cloud, connection);
    const response = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('valid');
    expect(statuses(response.body)).toEqual({
      assume_role_with_external_id: 'ok',
      external_id_required: 'ok',
      caller_identity: 'ok',
      code_bucket: 'skipped',
      function_access: 'ok',
    });
    expect(response.body.checks.find((c: { name: string }) => c.name === 'caller_identity').detail).toContain(CUSTOMER[cloud].account);
    const stored = await t.http.get(`/connections/${connection.id}`).set(bearer(admin));
    expect(stored.body.validation).toEqual(response.body);

    const sessions = t.emulator.admin.sessions({ cloud, roleArn: connection.auth.roleArn });
    expect(sessions.length).toBeGreaterThan(0);
    for (const session of sessions) expect((session as { externalId?: string }).externalId).toBe(connection.auth.externalId);
  });

  it('marks a role that trusts callers without the External ID insecure (confused deputy)', async () => {
    const connection = await createRoleConnection(t, admin, cloud);
    await installRole(t, admin, cloud, connection, { trustPolicy: withoutCondition((await policyOf(connection.id)).trustPolicy) });
    const response = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('insecure');
    const check = response.body.checks.find((c: { name: string }) => c.name === 'external_id_required');
    expect(check.status).toBe('failed');
    expect(check.detail).toMatch(/confused deputy/);
    expect(check.detail).toContain(connection.auth.externalId);
    expect(statuses(response.body).assume_role_with_external_id).toBe('ok');
    expect((await t.http.get(`/connections/${connection.id}`).set(bearer(admin))).body.validation.status).toBe('insecure');
  });

  it('fails clearly when the role does not exist or trusts someone else', async () => {
    const missing = await createRoleConnection(t, admin, cloud);
    const noRole = await t.http.post(`/connections/${missing.id}/validate`).set(bearer(admin));
    expect(noRole.status).toBe(200);
    expect(noRole.body.status).toBe('invalid');
    expect(statuses(noRole.body)).toMatchObject({ assume_role_with_external_id: 'failed', caller_identity: 'skipped' });

    const stranger = await createRoleConnection(t, admin, cloud);
    const policy = JSON.stringify((await policyOf(stranger.id)).trustPolicy).replaceAll(/111111111111|1111111111111111|100000000001/g, (m) => m.replace(/1/g, '9'));
    await installRole(t, admin, cloud, stranger, { trustPolicy: JSON.parse(policy) });
    const wrong = await t.http.post(`/connections/${stranger.id}/validate`).set(bearer(admin));
    expect(wrong.body.status).toBe('invalid');
    const detail = wrong.body.checks.find((c: { name: string }) => c.name === 'assume_role_with_external_id').detail;
    expect(detail).toMatch(/refused|found nothing/);
  });

  it('reports throttling and outages as check results, never a 500', async () => {
    const connection = await createRoleConnection(t, admin, cloud);
    await installRole(t, admin, cloud, connection);
    const code = cloud === 'aws' ? 'Throttling' : cloud === 'aliyun' ? 'Throttling.User' : 'RequestLimitExceeded';
    t.emulator.admin.addFault({ cloud, service: 'sts', action: 'AssumeRole', code, status: cloud === 'aws' ? 400 : 400, times: 10 });
    const throttled = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
    expect(throttled.status).toBe(200);
    expect(throttled.body.status).toBe('invalid');
    expect(throttled.body.checks[0].detail).toMatch(/throttled/);
    t.emulator.admin.clearFaults();

    t.emulator.admin.addFault({ cloud, service: 'sts', action: 'AssumeRole', code: 'InternalError', status: 500, times: 10 });
    const down = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
    expect(down.status).toBe(200);
    expect(down.body.status).toBe('invalid');
    t.emulator.admin.clearFaults();
    expect((await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin))).body.status).toBe('valid');
  });
});

describe('validation on Aliyun: the OSS code bucket', () => {
  let t: CloudTestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startCloudTestApp();
    admin = (await t.workspace()).adminToken;
    t.emulator.admin.createAccount({ cloud: 'aliyun', id: CUSTOMER.aliyun.account, name: 'customer' });
    t.emulator.admin.createFunction({ cloud: 'aliyun', account: CUSTOMER.aliyun.account, region: CUSTOMER.aliyun.region, service: CUSTOMER.aliyun.namespace, name: 'score' });
    t.emulator.admin.createBucket({ cloud: 'aliyun', account: CUSTOMER.aliyun.account, name: 'udf-code', region: CUSTOMER.aliyun.region });
    t.emulator.admin.putObject({ cloud: 'aliyun', bucket: 'udf-code', key: 'udf/score.zip', body: 'zip' });
  });
  afterAll(() => t.close());

  it('lists the bucket with the rendered policy; without oss:ListObjects the check fails and says why', async () => {
    const good = await createRoleConnection(t, admin, 'aliyun', { codeBucket: 'udf-code' });
    await installRole(t, admin, 'aliyun', good);
    const ok = await t.http.post(`/connections/${good.id}/validate`).set(bearer(admin));
    expect(ok.body.status).toBe('valid');
    const okCheck = ok.body.checks.find((c: { name: string }) => c.name === 'code_bucket');
    expect(okCheck).toEqual({ name: 'code_bucket', status: 'ok', detail: `OSS bucket udf-code in ${CUSTOMER.aliyun.region} can be listed (first object: udf/score.zip).` });
    expect(t.emulator.admin.counters().calls['aliyun:oss:ListObjectsV2']).toBe(1);

    const noGrant = await createRoleConnection(t, admin, 'aliyun', { codeBucket: 'udf-code' });
    const rendered = (await t.http.get(`/connections/${noGrant.id}/trust-policy`).set(bearer(admin))).body;
    const permission = { ...rendered.permissionPolicy, Statement: rendered.permissionPolicy.Statement.filter((s: { Action: string[] }) => !JSON.stringify(s.Action).includes('oss:ListObjects')) };
    await installRole(t, admin, 'aliyun', noGrant, { permissionPolicy: permission });
    const denied = await t.http.post(`/connections/${noGrant.id}/validate`).set(bearer(admin));
    expect(denied.body.status).toBe('invalid');
    expect(statuses(denied.body)).toMatchObject({ assume_role_with_external_id: 'ok', caller_identity: 'ok', code_bucket: 'failed', function_access: 'ok' });
    const detail = denied.body.checks.find((c: { name: string }) => c.name === 'code_bucket').detail as string;
    expect(detail).toMatch(/^Listing bucket udf-code was refused \(AccessDenied: You are forbidden to oss:ListObjects on acs:oss:\*:2222222222222222:udf-code\.\)/);
    expect(detail).toContain('permission policy');
  });

  it('fails the check with a clear sentence when the bucket does not exist', async () => {
    const connection = await createRoleConnection(t, admin, 'aliyun', { codeBucket: 'no-such-code' });
    await installRole(t, admin, 'aliyun', connection);
    const response = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
    expect(response.status).toBe(200);
    const check = response.body.checks.find((c: { name: string }) => c.name === 'code_bucket');
    expect(check.status).toBe('failed');
    expect(check.detail).toMatch(/^Listing bucket no-such-code found nothing \(NoSuchBucket: The specified bucket does not exist\.\)/);
  });
});

describe('validation on Tencent: the COS code bucket', () => {
  const APPID = '1250000000';
  const BUCKET = `udf-code-${APPID}`;
  let t: CloudTestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startCloudTestApp();
    admin = (await t.workspace()).adminToken;
    t.emulator.admin.createAccount({ cloud: 'tencent', id: CUSTOMER.tencent.account, name: 'customer', appId: APPID });
    t.emulator.admin.createBucket({ cloud: 'tencent', account: CUSTOMER.tencent.account, name: BUCKET, region: CUSTOMER.tencent.region });
    t.emulator.admin.createBucket({ cloud: 'tencent', account: CUSTOMER.tencent.account, name: `other-${APPID}`, region: CUSTOMER.tencent.region });
  });
  afterAll(() => t.close());

  const check = (body: { checks: { name: string; status: string; detail: string }[] }) => body.checks.find((c) => c.name === 'code_bucket')!;

  it('lists the COS bucket with the rendered policy (cos:GetBucket on the bucket with its APPID)', async () => {
    const connection = await createRoleConnection(t, admin, 'tencent', { codeBucket: BUCKET });
    await installRole(t, admin, 'tencent', connection);
    const response = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
    expect(response.body.status).toBe('valid');
    expect(check(response.body)).toMatchObject({ status: 'ok', detail: `COS bucket ${BUCKET} in ${CUSTOMER.tencent.region} can be listed (0 objects in the first page of one).` });
    expect(t.emulator.admin.counters().calls['tencent:cos:GetBucket']).toBeGreaterThan(0);
  });

  it('fails the check with a sentence naming the bucket and COS\'s refusal when the role may not list it', async () => {
    // The role was granted another bucket: the connection's own is not covered.
    const connection = await createRoleConnection(t, admin, 'tencent', { codeBucket: BUCKET });
    const rendered = (await t.http.get(`/connections/${connection.id}/trust-policy`).set(bearer(admin))).body;
    const permission = JSON.parse(JSON.stringify(rendered.permissionPolicy).replaceAll(BUCKET, `other-${APPID}`));
    await installRole(t, admin, 'tencent', connection, { permissionPolicy: permission });
    const response = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('invalid');
    expect(statuses(response.body)).toMatchObject({ assume_role_with_external_id: 'ok', caller_identity: 'ok', code_bucket: 'failed', function_access: 'ok' });
    expect(check(response.body).detail).toBe(
      `Listing bucket ${BUCKET} was refused (AccessDenied: Access Denied.). Check that the role exists, that its trust policy is the one GET /connections/:id/trust-policy shows, and that the permission policy is attached.`,
    );
  });

  it('fails the check as not found when the bucket does not exist', async () => {
    const connection = await createRoleConnection(t, admin, 'tencent', { codeBucket: `gone-${APPID}` });
    await installRole(t, admin, 'tencent', connection);
    const response = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
    expect(check(response.body)).toMatchObject({ status: 'failed', detail: expect.stringContaining(`Listing bucket gone-${APPID} found nothing (NoSuchBucket: The specified bucket does not exist.)`) });
  });
});

describe('validation on AWS: keys, buckets and access', () => {
  let t: CloudTestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startCloudTestApp();
    admin = (await t.workspace()).adminToken;
    t.emulator.admin.createAccount({ cloud: 'aws', id: CUSTOMER.aws.account, name: 'customer' });
    t.emulator.admin.createBucket({ account: CUSTOMER.aws.account, name: 'udf-code', region: 'us-east-1' });
  });
  afterAll(() => t.close());

  it('lists the code bucket with the rendered policy, and fails the check when the policy lacks it', async () => {
    const withBucket = await createRoleConnection(t, admin, 'aws', { codeBucket: 'udf-code' });
    await installRole(t, admin, 'aws', withBucket);
    const good = await t.http.post(`/connections/${withBucket.id}/validate`).set(bearer(admin));
    expect(statuses(good.body).code_bucket).toBe('ok');

    const noGrant = await createRoleConnection(t, admin, 'aws', { codeBucket: 'udf-code' });
    const rendered = (await t.http.get(`/connections/${noGrant.id}/trust-policy`).set(bearer(admin))).body;
    const permission = { ...rendered.permissionPolicy, Statement: rendered.permissionPolicy.Statement.filter((s: { Action: string[] }) => !JSON.stringify(s.Action).includes('s3:')) };
    await installRole(t, admin, 'aws', noGrant, { permissionPolicy: permission });
    const denied = await t.http.post(`/connections/${noGrant.id}/validate`).set(bearer(admin));
    expect(denied.body.status).toBe('invalid');
    expect(statuses(denied.body)).toMatchObject({ assume_role_with_external_id: 'ok', code_bucket: 'failed', function_access: 'ok' });
  });

  it('says so when the platform\'s own keys have expired', async () => {
    const connection = await createRoleConnection(t, admin, 'aws');
    await installRole(t, admin, 'aws', connection);
    t.emulator.admin.updateAccessKey({ cloud: 'aws', accessKeyId: t.seed.aws.accessKeyId, status: 'Inactive' });
    try {
      const response = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('invalid');
      expect(response.body.checks[0].detail).toMatch(/keys are not valid|refused/);
    } finally {
      t.emulator.admin.updateAccessKey({ cloud: 'aws', accessKeyId: t.seed.aws.accessKeyId, status: 'Active' });
    }
  });

  it('validates an access-key connection with what applies, and audits the run', async () => {
    t.emulator.admin.createAccount({ cloud: 'aws', id: '333333333333', name: 'keys' });
    const user = t.emulator.admin.createUser({ cloud: 'aws', account: '333333333333', name: 'udf', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:ListFunctions', Resource: '*' }] }] });
    const created = await t.http.post('/connections').set(bearer(admin)).send({ name: 'keys', provider: 'aws', region: 'us-east-1', auth: { type: 'access_key', accessKeyId: user.accessKeyId, secretAccessKey: { value: user.secret } } });
    const response = await t.http.post(`/connections/${created.body.id}/validate`).set(bearer(admin));
    expect(response.body.status).toBe('valid');
    expect(statuses(response.body)).toEqual({ assume_role_with_external_id: 'skipped', external_id_required: 'skipped', caller_identity: 'ok', code_bucket: 'skipped', function_access: 'ok' });
    expect(JSON.stringify(response.body)).not.toContain(user.secret);
    const events = await t.http.get(`/audit-events?action=connection.validate&connection=${created.body.id}`).set(bearer(admin));
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0].detail).toMatchObject({ status: 'valid', failed: [] });
    expect(t.logs.join('\n')).not.toContain(user.secret);
  });

  it('promotes the next External ID of an overlapping rotation once the role accepts it', async () => {
    const connection = await createRoleConnection(t, admin, 'aws');
    await installRole(t, admin, 'aws', connection);
    expect((await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin))).body.status).toBe('valid');
    const rotated = (await t.http.post(`/connections/${connection.id}/external-id/rotate`).set(bearer(admin))).body;
    const next = rotated.auth.nextExternalId;

    // The customer has not updated the role yet: the current id still works, nothing is promoted.
    const early = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
    expect(early.body.status).toBe('valid');
    expect(early.body.checks[0].detail).toMatch(/does not work yet/);
    expect((await t.http.get(`/connections/${connection.id}`).set(bearer(admin))).body.auth).toMatchObject({ externalId: connection.auth.externalId, nextExternalId: next });

    // The customer installs the policy that accepts both; both ids can assume the role now.
    const both = (await t.http.get(`/connections/${connection.id}/trust-policy`).set(bearer(admin))).body.trustPolicy;
    t.emulator.admin.putTrustPolicy({ cloud: 'aws', roleArn: connection.auth.roleArn, trustPolicy: both });
    const promoted = await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin));
    expect(promoted.body.status).toBe('valid');
    const after = (await t.http.get(`/connections/${connection.id}`).set(bearer(admin))).body;
    expect(after.auth.externalId).toBe(next);
    expect(after.auth.nextExternalId).toBeUndefined();
    const presented = t.emulator.admin.sessions({ cloud: 'aws', roleArn: connection.auth.roleArn }).map((s) => (s as { externalId?: string }).externalId);
    expect(presented).toContain(next);
    const events = await t.http.get(`/audit-events?action=connection.external_id.promote&connection=${connection.id}`).set(bearer(admin));
    expect(events.body.items).toHaveLength(1);

    // Afterwards only the new id is rendered; with that policy installed the old one is refused.
    const only = (await t.http.get(`/connections/${connection.id}/trust-policy`).set(bearer(admin))).body.trustPolicy;
    expect(only.Statement[0].Condition.StringEquals['sts:ExternalId']).toBe(next);
    t.emulator.admin.putTrustPolicy({ cloud: 'aws', roleArn: connection.auth.roleArn, trustPolicy: only });
    expect((await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin))).body.status).toBe('valid');
    const before = t.emulator.admin.assumeRoleAttempts({ cloud: 'aws', roleArn: connection.auth.roleArn }).length;
    const old = await t.app.get(ProviderRegistry).get('aws').assumeRole({ region: 'us-east-1', roleArn: connection.auth.roleArn, externalId: connection.auth.externalId, sessionName: 'old-id', durationSeconds: 900, caller: 'ambient' }).catch((e) => e);
    expect(old.kind).toBe('access_denied');
    expect(t.emulator.admin.assumeRoleAttempts({ cloud: 'aws', roleArn: connection.auth.roleArn }).length).toBe(before + 1);
  });

  it('is refused to viewers and to other workspaces', async () => {
    const connection = await createRoleConnection(t, admin, 'aws');
    const viewer = await t.token(admin, 'viewer');
    expect((await t.http.post(`/connections/${connection.id}/validate`).set(bearer(viewer))).status).toBe(403);
    const other = (await t.workspace()).adminToken;
    expect((await t.http.post(`/connections/${connection.id}/validate`).set(bearer(other))).status).toBe(404);
  });
});
