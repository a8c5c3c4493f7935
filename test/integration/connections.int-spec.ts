import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { bearer, PLATFORM, startTestApp, TestApp } from './harness/app';

const AWS_ROLE = 'arn:aws:iam::028022243208:role/udf/CzUdfRole';
const awsConnection = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  provider: 'aws',
  region: 'us-east-1',
  auth: { type: 'assume_role', roleArn: AWS_ROLE, sessionName: 'tether' },
  functions: { codeBucket: 'cz-udf-code' },
  comment: 'UDFs of the finance team',
  ...extra,
});

describe('connections', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = (await t.workspace()).adminToken;
  });
  afterAll(() => t.close());

  const post = (body: object, token = admin, query = '') => t.http.post(`/connections${query}`).set(bearer(token)).send(body);

  it('creates an assume-role connection with an External ID and the principal of its partition', async () => {
    const created = await post(awsConnection('udf_noah'));
    expect(created.status).toBe(201);
    expect(created.headers.etag).toMatch(/^"[0-9a-f-]{36}\.1"$/);
    expect(created.body).toMatchObject({
      name: 'udf_noah',
      provider: 'aws',
      region: 'us-east-1',
      auth: { type: 'assume_role', roleArn: AWS_ROLE, sessionName: 'tether', principal: PLATFORM.awsPrincipal },
      functions: { codeBucket: 'cz-udf-code', capabilities: ['invoke'], egress: [] },
      comment: 'UDFs of the finance team',
      validation: { status: 'pending', checkedAt: null, checks: [] },
    });
    expect(created.body.auth.externalId).toMatch(/^tether-[0-9a-z]{32}$/);

    const byName = await t.http.get('/connections/udf_noah').set(bearer(admin));
    const byId = await t.http.get(`/connections/${created.body.id}`).set(bearer(admin));
    expect(byName.body).toEqual(created.body);
    expect(byId.body).toEqual(created.body);

    const cn = await post({ ...awsConnection('udf_cn'), region: 'cn-north-1', auth: { type: 'assume_role', roleArn: 'arn:aws-cn:iam::028022243208:role/CzUdfRole' } });
    expect(cn.status).toBe(201);
    expect(cn.body.auth.principal).toBe(PLATFORM.awsCnPrincipal);
  });

  it('answers a taken name with 409, or 200 and the existing connection with ifNotExists', async () => {
    const first = await post(awsConnection('dup'));
    const again = await post(awsConnection('dup'));
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ field: 'name', message: 'is already used by another connection' }]);
    const idempotent = await post(awsConnection('dup'), admin, '?ifNotExists=true');
    expect(idempotent.status).toBe(200);
    expect(idempotent.body.id).toBe(first.body.id);
    expect(idempotent.body.auth.externalId).toBe(first.body.auth.externalId);
  });

  it('lets exactly one of 50 concurrent creates of a name win', async () => {
    const { adminToken } = await t.workspace();
    const plain = await Promise.all(Array.from({ length: 50 }, () => post(awsConnection('race'), adminToken)));
    const statuses = plain.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);

    const idempotent = await Promise.all(Array.from({ length: 50 }, () => post(awsConnection('race_if'), adminToken, '?ifNotExists=true')));
    expect(idempotent.filter((r) => r.status === 201)).toHaveLength(1);
    expect(idempotent.filter((r) => r.status === 200)).toHaveLength(49);
    expect(new Set(idempotent.map((r) => r.body.id)).size).toBe(1);

    const rows = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM connections c JOIN workspaces w ON w.id = c.workspace_id WHERE c.name IN ('race', 'race_if') AND w.id = (SELECT workspace_id FROM connections WHERE id = $1)`, [idempotent[0].body.id]);
    expect(rows[0].n).toBe(2);
  });

  it.each([
    ['a malformed AWS role ARN', awsConnection('x', { auth: { type: 'assume_role', roleArn: 'arn:aws:iam::123:role/x' } }), 'auth.roleArn'],
    ['an aws-cn role in a global region', awsConnection('x', { auth: { type: 'assume_role', roleArn: 'arn:aws-cn:iam::028022243208:role/R' } }), 'auth.roleArn'],
    ['an Alibaba role on AWS', awsConnection('x', { auth: { type: 'assume_role', roleArn: 'acs:ram::1234567890123456:role/tether' } }), 'auth.roleArn'],
    ['a wrong region format', awsConnection('x', { region: 'mars-1' }), 'region'],
    ['assume_role without a role', awsConnection('x', { auth: { type: 'assume_role' } }), 'auth.roleArn'],
    ['access_key with a role', awsConnection('x', { auth: { type: 'access_key', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: { value: 'v' }, roleArn: AWS_ROLE } }), 'auth.roleArn'],
    ['assume_role with keys', awsConnection('x', { auth: { type: 'assume_role', roleArn: AWS_ROLE, accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } }), 'auth.accessKeyId'],
    ['a secret reference and a value at once', awsConnection('x', { auth: { type: 'access_key', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: { value: 'v', secret: 's' } } }), 'auth.secretAccessKey'],
    ['a secret of no one', awsConnection('x', { auth: { type: 'access_key', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: { secret: 'missing' } } }), 'auth.secretAccessKey.secret'],
    ['a name that is not an identifier', awsConnection('1-bad'), 'name'],
    ['an unknown provider', awsConnection('x', { provider: 'gcp' }), 'provider'],
    ['Tencent without a namespace', { name: 'x', provider: 'tencent', region: 'ap-guangzhou', auth: { type: 'assume_role', roleArn: 'qcs::cam::uin/100000000002:roleName/tether' } }, 'functions.namespace'],
    ['deploy on AWS without an execution role', awsConnection('x', { functions: { capabilities: ['invoke', 'deploy'] } }), 'functions.executionRoleArn'],
    ['an egress rule without a port', awsConnection('x', { functions: { egress: ['abc.execute-api.us-east-1.amazonaws.com'] } }), 'functions.egress'],
  ])('refuses %s, naming the field', async (_, body, field) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    for (const error of response.body.errors) expect(error.message.length).toBeGreaterThan(10);
  });

  it('accepts each cloud\'s own ARN and region forms', async () => {
    const aliyun = await post({ name: 'fc', provider: 'aliyun', region: 'cn-shanghai', auth: { type: 'assume_role', roleArn: 'acs:ram::1222800000000000:role/czudfrole' }, functions: { namespace: 'udf', codeBucket: 'cz-udf-code' } });
    expect(aliyun.status).toBe(201);
    expect(aliyun.body.auth.principal).toBe(`acs:ram::${PLATFORM.aliyunAccountId}:root`);
    const tencent = await post({ name: 'scf', provider: 'tencent', region: 'ap-beijing', auth: { type: 'assume_role', roleArn: 'qcs::cam::uin/100000000002:roleName/tether' }, functions: { namespace: 'default', codeBucket: 'code-1250000000' } });
    expect(tencent.status).toBe(201);
    expect(tencent.body.auth.principal).toBe(`qcs::cam::uin/${PLATFORM.tencentUin}:root`);
  });

  it('refuses a role in a partition Tether has no principal for', async () => {
    const gov = await post({ ...awsConnection('gov'), region: 'us-gov-west-1', auth: { type: 'assume_role', roleArn: 'arn:aws-us-gov:iam::028022243208:role/R' } });
    expect(gov.status).toBe(422);
    expect(gov.body.detail).toContain('TETHER_AWS_PRINCIPAL_ARN');
  });

  it('seals inline keys into a secret the connection owns, and never shows them', async () => {
    const { adminToken } = await t.workspace();
    const value = 'CANARY-inline-secret-key-7d1e';
    const created = await post({ name: 'keys', provider: 'aws', region: 'us-east-1', auth: { type: 'access_key', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: { value } } }, adminToken);
    expect(created.status).toBe(201);
    expect(created.body.auth).toEqual({ type: 'access_key', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: { secret: 'keys__secret_access_key' } });
    expect(created.text).not.toContain(value);
    const rows: { row: string }[] = await t.app.get(DataSource).query(`SELECT s::text AS row FROM secrets s UNION ALL SELECT c::text FROM connections c`);
    expect(rows.some((r) => r.row.includes(value))).toBe(false);

    expect((await t.http.delete('/secrets/keys__secret_access_key').set(bearer(adminToken))).status).toBe(409);
    expect((await t.http.delete('/connections/keys').set(bearer(adminToken))).status).toBe(204);
    expect((await t.http.get('/secrets/keys__secret_access_key').set(bearer(adminToken))).status).toBe(404);
  });

  it('refuses to delete a referenced secret while a connection uses it', async () => {
    const { adminToken } = await t.workspace();
    await t.http.post('/secrets').set(bearer(adminToken)).send({ name: 'aws_secret_key', value: 'v' });
    const created = await post({ name: 'ref', provider: 'aws', region: 'us-east-1', auth: { type: 'access_key', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: { secret: 'aws_secret_key' } } }, adminToken);
    expect(created.body.auth.secretAccessKey).toEqual({ secret: 'aws_secret_key' });
    const refused = await t.http.delete('/secrets/aws_secret_key').set(bearer(adminToken));
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('/problems/secret-in-use');
    await t.http.delete('/connections/ref').set(bearer(adminToken));
    expect((await t.http.delete('/secrets/aws_secret_key').set(bearer(adminToken))).status).toBe(204);
  });

  it('edits with If-Match, and resets validation when the role or region changes', async () => {
    const created = await post(awsConnection('edited'));
    const id = created.body.id;
    const db = t.app.get(DataSource);
    await db.query(`UPDATE connections SET validation_status = 'valid', validation_checked_at = now() WHERE id = $1`, [id]);

    expect((await t.http.patch(`/connections/${id}`).set(bearer(admin)).send({ comment: 'x' })).status).toBe(428);
    expect((await t.http.patch(`/connections/${id}`).set(bearer(admin)).set('if-match', '"stale.0"').send({ comment: 'x' })).status).toBe(412);

    const comment = await t.http.patch(`/connections/${id}`).set(bearer(admin)).set('if-match', created.headers.etag).send({ comment: 'new words' });
    expect(comment.status).toBe(200);
    expect(comment.body.comment).toBe('new words');
    expect(comment.body.validation.status).toBe('valid');
    expect(comment.headers.etag).not.toBe(created.headers.etag);
    expect((await t.http.patch(`/connections/${id}`).set(bearer(admin)).set('if-match', created.headers.etag).send({ comment: 'lost update' })).status).toBe(412);

    const moved = await t.http.patch(`/connections/${id}`).set(bearer(admin)).set('if-match', comment.headers.etag).send({ region: 'eu-west-1' });
    expect(moved.status).toBe(200);
    expect(moved.body.validation).toEqual({ status: 'pending', checkedAt: null, checks: [] });
    const renamed = await t.http.patch(`/connections/${id}`).set(bearer(admin)).set('if-match', moved.headers.etag).send({ name: 'other' });
    expect(renamed.status).toBe(400);
    expect(renamed.body.errors[0].field).toBe('name');
  });

  it('rotates the External ID immediately and resets validation', async () => {
    const created = await post(awsConnection('rotated'));
    await t.app.get(DataSource).query(`UPDATE connections SET validation_status = 'valid' WHERE id = $1`, [created.body.id]);
    const rotated = await t.http.post(`/connections/${created.body.id}/external-id/rotate?mode=immediate`).set(bearer(admin));
    expect(rotated.status).toBe(200);
    expect(rotated.body.auth.externalId).not.toBe(created.body.auth.externalId);
    expect(rotated.body.validation.status).toBe('pending');
    expect(rotated.body.auth.nextExternalId).toBeUndefined();
  });

  it('rotates with an overlap by default: both ids in the trust policy, the current one kept', async () => {
    const created = await post(awsConnection('overlap'));
    await t.app.get(DataSource).query(`UPDATE connections SET validation_status = 'valid' WHERE id = $1`, [created.body.id]);
    const rotated = await t.http.post(`/connections/${created.body.id}/external-id/rotate`).set(bearer(admin));
    expect(rotated.status).toBe(200);
    expect(rotated.body.auth.externalId).toBe(created.body.auth.externalId);
    expect(rotated.body.auth.nextExternalId).toMatch(/^tether-/);
    expect(rotated.body.validation.status).toBe('valid');
    const policy = (await t.http.get('/connections/overlap/trust-policy').set(bearer(admin))).body;
    expect(policy.nextExternalId).toBe(rotated.body.auth.nextExternalId);
    expect(policy.trustPolicy.Statement[0].Condition.StringEquals['sts:ExternalId']).toEqual([created.body.auth.externalId, rotated.body.auth.nextExternalId]);
    expect((await t.http.post(`/connections/${created.body.id}/external-id/rotate?mode=sideways`).set(bearer(admin))).body.errors[0].field).toBe('mode');
  });

  it('renders the trust policy with the connection\'s External ID, readable by viewers', async () => {
    const created = await post(awsConnection('policy'));
    const viewer = await t.token(admin, 'viewer');
    const response = await t.http.get('/connections/policy/trust-policy').set(bearer(viewer));
    expect(response.status).toBe(200);
    expect(response.body.externalId).toBe(created.body.auth.externalId);
    expect(response.body.principal).toBe(PLATFORM.awsPrincipal);
    expect(response.body.trustPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: PLATFORM.awsPrincipal },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': created.body.auth.externalId } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: PLATFORM.awsPrincipal },
          Action: 'sts:TagSession',
          Condition: { StringEquals: { 'sts:ExternalId': created.body.auth.externalId }, 'ForAllValues:StringLike': { 'aws:TagKeys': 'tether:*' } },
        },
      ],
    });
    expect(JSON.stringify(response.body.permissionPolicy)).toContain('arn:aws:s3:::cz-udf-code');
    // The only account-wide grant is ListFunctions, which IAM cannot scope by ARN: it is held to the region.
    const wide = response.body.permissionPolicy.Statement.filter((s: { Resource: unknown }) => s.Resource === '*');
    expect(wide).toEqual([{ Effect: 'Allow', Action: ['lambda:ListFunctions'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } }]);
    expect(response.body.steps.join('\n')).toContain('aws iam create-role');

    const keys = await post({ name: 'keys_only', provider: 'aws', region: 'us-east-1', auth: { type: 'access_key', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: { value: 'v' } } });
    expect(keys.status).toBe(201);
    expect((await t.http.get('/connections/keys_only/trust-policy').set(bearer(viewer))).status).toBe(409);
  });

  it('serves onboarding templates whose policies are the rendered ones', async () => {
    await post(awsConnection('onboard'));
    const policy = (await t.http.get('/connections/onboard/trust-policy').set(bearer(admin))).body;
    const cfn = await t.http.get('/connections/onboard/onboarding?format=cloudformation').set(bearer(admin));
    expect(cfn.status).toBe(200);
    expect(cfn.headers['content-disposition']).toMatch(/attachment; filename=".+\.cloudformation\.json"/);
    const template = JSON.parse(cfn.text);
    const role = Object.values(template.Resources as Record<string, { Type: string; Properties: any }>).find((r) => r.Type === 'AWS::IAM::Role');
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual(policy.trustPolicy);

    await post({ name: 'onboard_fc', provider: 'aliyun', region: 'cn-shanghai', auth: { type: 'assume_role', roleArn: 'acs:ram::1222800000000000:role/czudfrole' } });
    const refused = await t.http.get('/connections/onboard_fc/onboarding?format=cloudformation').set(bearer(admin));
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].field).toBe('format');
    const terraform = await t.http.get('/connections/onboard_fc/onboarding?format=terraform').set(bearer(admin));
    expect(terraform.status).toBe(200);
    expect(Object.keys(JSON.parse(terraform.text).resource)).toContain('alicloud_ram_role');
    expect((await t.http.get('/connections/onboard/onboarding').set(bearer(admin))).body.errors[0].field).toBe('format');
  });

  it('revokes: a new External ID at once and the deny policy carrying the revoke time', async () => {
    const created = await post(awsConnection('revoked'));
    const before = Date.now();
    const response = await t.http.post('/connections/revoked/revoke').set(bearer(admin));
    expect(response.status).toBe(200);
    expect(response.body.externalId).not.toBe(created.body.auth.externalId);
    expect(Date.parse(response.body.revokedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(response.body.denyPolicy.supported).toBe(true);
    expect(response.body.denyPolicy.policy.Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { DateLessThan: { 'aws:TokenIssueTime': response.body.revokedAt } } });
    const after = (await t.http.get('/connections/revoked').set(bearer(admin))).body;
    expect(after.auth.externalId).toBe(response.body.externalId);
    expect(after.validation.status).toBe('pending');
    const events = await t.http.get(`/audit-events?action=connection.revoke&connection=${created.body.id}`).set(bearer(admin));
    expect(events.body.items).toHaveLength(1);
    const editor = await t.token(admin, 'editor');
    expect((await t.http.post('/connections/revoked/revoke').set(bearer(editor))).status).toBe(403);

    await post({ name: 'revoked_fc', provider: 'aliyun', region: 'cn-shanghai', auth: { type: 'assume_role', roleArn: 'acs:ram::1222800000000000:role/r' } });
    const aliyun = await t.http.post('/connections/revoked_fc/revoke').set(bearer(admin));
    expect(aliyun.body.denyPolicy.supported).toBe(false);
    expect(aliyun.body.denyPolicy.statement.length).toBeGreaterThan(20);
  });

  it('lists with filters and cursor pages', async () => {
    const { adminToken } = await t.workspace();
    for (const name of ['l1', 'l2', 'l3']) await post(awsConnection(name), adminToken);
    await post({ name: 'l4', provider: 'aliyun', region: 'cn-hangzhou', auth: { type: 'assume_role', roleArn: 'acs:ram::1222800000000000:role/r' } }, adminToken);
    const [l2] = await t.app.get(DataSource).query(`SELECT id FROM connections WHERE name = 'l2' ORDER BY created_at DESC LIMIT 1`);
    await t.app.get(DataSource).query(`UPDATE connections SET validation_status = 'valid' WHERE id = $1`, [l2.id]);

    const aws = await t.http.get('/connections?provider=aws&limit=2').set(bearer(adminToken));
    expect(aws.body.items.map((c: { name: string }) => c.name)).toEqual(['l1', 'l2']);
    const next = await t.http.get(`/connections?provider=aws&limit=2&cursor=${aws.body.nextCursor}`).set(bearer(adminToken));
    expect(next.body.items.map((c: { name: string }) => c.name)).toEqual(['l3']);
    const valid = await t.http.get('/connections?status=valid').set(bearer(adminToken));
    expect(valid.body.items.map((c: { name: string }) => c.name)).toEqual(['l2']);
    expect((await t.http.get('/connections?status=great').set(bearer(adminToken))).body.errors[0].field).toBe('status');
  });

  it('shows a service token only the connections it is granted', async () => {
    const { adminToken } = await t.workspace();
    await post(awsConnection('granted'), adminToken);
    await post(awsConnection('other'), adminToken);
    const service = await t.token(adminToken, 'service', { connections: ['granted'] });
    expect((await t.http.get('/connections/granted').set(bearer(service))).status).toBe(200);
    expect((await t.http.get('/connections/other').set(bearer(service))).status).toBe(403);
    const listed = await t.http.get('/connections').set(bearer(service));
    expect(listed.body.items.map((c: { name: string }) => c.name)).toEqual(['granted']);
    expect((await post(awsConnection('nope'), service)).status).toBe(403);
  });

  it('hides connections of other workspaces behind 404', async () => {
    const created = await post(awsConnection('mine'));
    const other = (await t.workspace()).adminToken;
    expect((await t.http.get(`/connections/${created.body.id}`).set(bearer(other))).status).toBe(404);
    expect((await t.http.get('/connections/mine/trust-policy').set(bearer(other))).status).toBe(404);
    expect((await t.http.delete(`/connections/${created.body.id}`).set(bearer(other))).status).toBe(404);
    expect((await t.http.post(`/connections/${created.body.id}/external-id/rotate`).set(bearer(other))).status).toBe(404);
  });

  it('audits creates, including refused ones, in the workspace', async () => {
    const { adminToken } = await t.workspace();
    const created = await post(awsConnection('audited'), adminToken);
    await post(awsConnection('audited'), adminToken);
    const events = await t.http.get('/audit-events?action=connection.*').set(bearer(adminToken));
    expect(events.status).toBe(200);
    expect(events.body.items.map((e: { action: string; outcome: string }) => [e.action, e.outcome])).toEqual([
      ['connection.create', 'success'],
      ['connection.create', 'failure'],
    ]);
    expect(events.body.items[0].connectionId).toBe(created.body.id);
    expect(events.body.items[0].actor.name).toBe('admin');
  });
});
