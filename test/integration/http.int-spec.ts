import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './harness/app';
import { CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp } from './harness/clouds';

const { account, region } = CUSTOMER.aws;

describe('POST /connections/:id/http (SigV4 for execute-api)', () => {
  let t: CloudTestApp;
  let admin: string;
  let connection: { id: string; name: string; auth: { roleArn: string; externalId: string } };
  let port: number;

  const executeApiCalls = () => t.emulator.admin.counters().calls['aws:execute-api:Invoke'] ?? 0;
  const call = (body: object, conn = connection.name) => t.http.post(`/connections/${conn}/http`).set(bearer(admin)).send(body);
  const setEgress = async (egress: string[]) => {
    const current = await t.http.get(`/connections/${connection.id}`).set(bearer(admin));
    const patched = await t.http.patch(`/connections/${connection.id}`).set(bearer(admin)).set('if-match', current.headers.etag).send({ functions: { egress } });
    expect(patched.status, patched.text).toBe(200);
  };

  beforeAll(async () => {
    // The emulator listens on loopback: the operator lets Tether reach exactly that address.
    t = await startCloudTestApp({ TETHER_EGRESS_ALLOWLIST: '127.0.0.1/32' });
    port = Number(new URL(t.emulator.url).port);
    admin = (await t.workspace()).adminToken;
    connection = (await createRoleConnection(t, admin, 'aws')) as typeof connection;
    await installRole(t, admin, 'aws', connection);
    await setEgress([`127.0.0.1:${port}`]);
    const methodArn = (apiId: string) => `arn:aws:execute-api:${region}:${account}:${apiId}/dev/POST/hello`;
    // The resource policy names the connection's role: its assumed-role sessions may invoke POST /hello.
    t.emulator.admin.createApi({
      apiId: 'tetherok',
      region,
      account,
      stage: 'dev',
      routes: [{ method: 'POST', path: '/hello' }],
      resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: connection.auth.roleArn }, Action: 'execute-api:Invoke', Resource: methodArn('tetherok') }] },
    });
    t.emulator.admin.createApi({
      apiId: 'othersonly',
      region,
      account,
      stage: 'dev',
      routes: [{ method: 'POST', path: '/hello' }],
      resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:role/someone-else` }, Action: 'execute-api:Invoke', Resource: methodArn('othersonly') }] },
    });
  });
  afterAll(() => t.close());

  it('signs a request that the API\'s resource policy lets the assumed-role session invoke', async () => {
    const response = await call({ method: 'POST', url: `${t.emulator.url}/tetherok/dev/hello?lang=ja`, headers: { 'x-trace': 'abc' }, body: { name: 'Noah' } });
    expect(response.status, response.text).toBe(200);
    expect(response.body.status).toBe(200);
    expect(response.body.headers['content-type']).toContain('json');
    expect(response.body.body).toMatchObject({
      apiId: 'tetherok',
      method: 'POST',
      path: '/hello',
      query: { lang: 'ja' },
      body: JSON.stringify({ name: 'Noah' }),
      caller: { account, arn: expect.stringMatching(new RegExp(`^arn:aws:sts::${account}:assumed-role/${connection.auth.roleArn.split('/').pop()}/`)) },
      resource: `arn:aws:execute-api:${region}:${account}:tetherok/dev/POST/hello`,
    });
    expect(response.body.body.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIA[^/]+\/\d{8}\/us-east-1\/execute-api\/aws4_request/);
    expect(response.body.body.headers['x-trace']).toBe('abc');
    const sessions = t.emulator.admin.sessions({ cloud: 'aws', roleArn: connection.auth.roleArn });
    expect(sessions.some((s) => s.externalId === connection.auth.externalId)).toBe(true);
  });

  it('relays the API\'s refusal when its resource policy does not name the role', async () => {
    const response = await call({ method: 'POST', url: `${t.emulator.url}/othersonly/dev/hello`, body: 'plain text' });
    expect(response.status, response.text).toBe(200);
    expect(response.body.status).toBe(403);
    expect(JSON.stringify(response.body.body)).toContain('is not authorized to perform: execute-api:Invoke');
  });

  it('refuses a host:port outside the egress rules before sending anything', async () => {
    const before = executeApiCalls();
    const otherPort = await call({ method: 'POST', url: `http://127.0.0.1:${port + 1}/tetherok/dev/hello` });
    expect(otherPort.status, otherPort.text).toBe(403);
    expect(otherPort.body.type).toBe('/problems/egress-not-allowed');
    const otherHost = await call({ method: 'GET', url: 'https://abc123.execute-api.us-east-1.amazonaws.com/dev/hello' });
    expect(otherHost.status).toBe(403);
    expect(otherHost.body.detail).toContain('abc123.execute-api.us-east-1.amazonaws.com:443');
    expect(executeApiCalls()).toBe(before);
  });

  it('refuses metadata and private addresses even when an egress rule lists them', async () => {
    await setEgress([`127.0.0.1:${port}`, '169.254.169.254:80', '10.0.0.1:443', '100.100.100.200:80']);
    const before = t.emulator.admin.counters().calls;
    for (const url of ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'https://10.0.0.1/dev/hello', 'http://100.100.100.200/latest/meta-data/']) {
      const response = await call({ method: 'GET', url });
      expect(response.status, `${url}: ${response.text}`).toBe(403);
      expect(response.body.type).toBe('/problems/egress-address-refused');
      expect(response.body.detail).toContain('TETHER_EGRESS_ALLOWLIST');
    }
    expect(t.emulator.admin.counters().calls).toEqual(before);
    await setEgress([`127.0.0.1:${port}`]);
  });

  it('refuses headers the signature owns, and non-AWS connections', async () => {
    const header = await call({ method: 'POST', url: `${t.emulator.url}/tetherok/dev/hello`, headers: { Authorization: 'x' } });
    expect(header.status).toBe(400);
    expect(header.body.errors).toEqual([{ field: 'headers.Authorization', message: expect.stringContaining('set by Tether') }]);
    const aliyun = await createRoleConnection(t, admin, 'aliyun');
    const other = await call({ method: 'GET', url: `${t.emulator.url}/tetherok/dev/hello` }, aliyun.name);
    expect(other.status).toBe(409);
    const file = await call({ method: 'GET', url: 'file:///etc/passwd' });
    expect(file.status).toBe(400);
  });

  it('audits the request without its body', async () => {
    await call({ method: 'POST', url: `${t.emulator.url}/tetherok/dev/hello`, body: { token: 'never-in-audit' } });
    const events = await t.http.get(`/audit-events?action=http.request`).set(bearer(admin));
    expect(events.status, events.text).toBe(200);
    const items = events.body.items as { outcome: string; detail: Record<string, unknown> }[];
    expect(JSON.stringify(items)).not.toContain('never-in-audit');
    expect(items).toContainEqual(expect.objectContaining({ outcome: 'success', detail: expect.objectContaining({ host: '127.0.0.1', port, status: 200, method: 'POST' }) }));
    expect(items).toContainEqual(expect.objectContaining({ outcome: 'failure', detail: expect.objectContaining({ error: 'egress-address-refused' }) }));
  });
});
