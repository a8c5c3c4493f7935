import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionOf, exampleOf, fillPath, liveOperations, Operation, problemViolation, TOKEN_ROLES, TokenRole } from '../hardening/api-surface';
import { bearer } from './harness/app';
import { CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp } from './harness/clouds';

interface Tenant {
  id: string;
  admin: string;
  tokens: Record<TokenRole, string>;
}

/**
 * For every operation of the live document and every role: the guard's answer follows the
 * @Allow metadata on the handler, another workspace's objects are 404, and a token that is
 * missing, unknown, expired or deleted is 401.
 */
describe('isolation matrix over the live API', () => {
  let t: CloudTestApp;
  let a: Tenant;
  let b: Tenant;
  let operations: Operation[];
  /** Workspace A's objects, by the collection their path lives under. */
  const owned: Record<string, { id: string; name?: string }> = {};
  let checked = 0;

  const tenant = async (): Promise<Tenant> => {
    const { id, adminToken } = await t.workspace();
    const tokens = {} as Record<TokenRole, string>;
    for (const role of TOKEN_ROLES) tokens[role] = await t.token(adminToken, role);
    return { id, admin: adminToken, tokens };
  };

  const send = async (op: Operation, token: string | undefined, path: string) => {
    checked += 1;
    const body = op.body ? JSON.stringify(exampleOf(op.body)) : undefined;
    const response = await t.app.getHttpAdapter().getInstance().inject({
      method: op.method,
      url: path,
      headers: { ...(token ? bearer(token) : {}), ...(body ? { 'content-type': 'application/json' } : {}), 'if-match': '"1"' },
      payload: body,
    });
    return { status: response.statusCode, headers: response.headers, text: response.body, body: safeJson(response.body) };
  };

  const pathOf = (op: Operation, by: 'id' | 'name' = 'id') => {
    const target = owned[collectionOf(op.path)];
    if (op.path.includes('{id}') && !target) throw new Error(`no fixture for /${collectionOf(op.path)}/{id}: add one to hardening-isolation so ${op.method} ${op.path} is covered`);
    // Required query parameters get a valid value, so the answer is about the caller, not the query.
    const query = op.parameters.filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(String(exampleOf(p.schema)))}`);
    return fillPath(op.path, { id: by === 'name' && target?.name ? target.name : target?.id ?? '', function: 'echo', key: 'udf/echo.zip' }) + (query.length ? `?${query.join('&')}` : '');
  };

  beforeAll(async () => {
    t = await startCloudTestApp({ TETHER_RATE_LIMIT_PER_MINUTE: '10000000' });
    operations = liveOperations(t.app);
    a = await tenant();
    b = await tenant();
    const connection = await createRoleConnection(t, a.admin, 'aws', { name: 'isolated' });
    await installRole(t, a.admin, 'aws', connection as never);
    t.emulator.admin.createFunction({ cloud: 'aws', account: CUSTOMER.aws.account, region: CUSTOMER.aws.region, name: 'echo', behaviour: { type: 'echo' } });
    owned.connections = { id: connection.id, name: connection.name };
    const secret = await t.http.post('/secrets').set(bearer(a.admin)).send({ name: 'isolated_secret', value: 'isolation-value' });
    owned.secrets = { id: secret.body.id, name: 'isolated_secret' };
    const token = await t.http.post('/tokens').set(bearer(a.admin)).send({ name: 'isolated_token', role: 'viewer' });
    owned.tokens = { id: token.body.id };
  });
  afterAll(() => t?.close());

  it('reads who may call what from the handlers, and every guarded route names someone', () => {
    const guarded = operations.filter((op) => !op.isPublic);
    expect(guarded.length).toBeGreaterThan(15);
    for (const op of guarded) expect(op.bootstrapOnly || op.roles.length > 0, `${op.method} ${op.path} refuses every role`).toBe(true);
    console.log(`[hardening] isolation: ${operations.length} operations, ${guarded.length} guarded, ${operations.filter((op) => op.path.includes('{')).length} with path parameters`);
  });

  it('answers 403 to every role an operation does not allow, on the caller\'s own objects', async () => {
    const wrong: string[] = [];
    for (const op of operations.filter((o) => !o.isPublic)) {
      for (const role of TOKEN_ROLES) {
        if (!op.bootstrapOnly && op.roles.includes(role)) continue;
        const response = await send(op, a.tokens[role], pathOf(op));
        if (response.status !== 403 || response.body?.type !== '/problems/forbidden' || problemViolation(response.status, response.headers, response.text)) {
          wrong.push(`${role} ${op.method} ${op.path} -> ${response.status} ${response.text.slice(0, 200)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 404 to every allowed role of another workspace, by id and by name, and changes nothing', async () => {
    const before = await snapshot(t, a.admin, owned);
    const wrong: string[] = [];
    for (const op of operations.filter((o) => o.path.includes('{id}') && !o.isPublic && !o.bootstrapOnly)) {
      for (const role of op.roles) {
        for (const by of ['id', 'name'] as const) {
          const response = await send(op, b.tokens[role], pathOf(op, by));
          if (response.status !== 404 || problemViolation(response.status, response.headers, response.text)) wrong.push(`${role} of B ${op.method} ${pathOf(op, by)} -> ${response.status} ${response.text.slice(0, 200)}`);
          const leaked = [owned.connections.id, owned.secrets.id, owned.tokens.id].filter((id) => JSON.stringify(response.headers).includes(id) || (response.text.includes(id) && by === 'name' && owned[collectionOf(op.path)]?.name));
          if (leaked.length) wrong.push(`${role} of B ${op.method} ${op.path} answered with A's ids ${leaked.join(', ')}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot(t, a.admin, owned)).toEqual(before);
  });

  it('lists none of another workspace\'s objects', async () => {
    const leaks: string[] = [];
    for (const op of operations.filter((o) => o.method === 'GET' && !o.path.includes('{') && !o.isPublic && !o.bootstrapOnly)) {
      for (const role of op.roles) {
        const response = await send(op, b.tokens[role], op.path);
        expect(response.status, `${role} ${op.path}: ${response.text.slice(0, 200)}`).toBe(200);
        for (const [collection, object] of Object.entries(owned)) if (response.text.includes(object.id)) leaks.push(`${role} of B sees A's ${collection} ${object.id} in GET ${op.path}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('answers 401 to a missing, unknown, expired or deleted token on every guarded operation', async () => {
    const expiring = await t.http.post('/tokens').set(bearer(a.admin)).send({ name: 'expiring', role: 'admin', expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect(expiring.status, expiring.text).toBe(201);
    const deleted = await t.http.post('/tokens').set(bearer(a.admin)).send({ name: 'deleted', role: 'admin' });
    // It works before it is deleted, so the 401s below are about the deletion.
    expect((await t.http.get('/secrets').set(bearer(deleted.body.token))).status).toBe(200);
    expect((await t.http.delete(`/tokens/${deleted.body.id}`).set(bearer(a.admin))).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expiring.body.expiresAt) - Date.now() + 50)));
    const wrong: string[] = [];
    for (const op of operations.filter((o) => !o.isPublic)) {
      for (const [label, token] of [
        ['no token', undefined],
        ['unknown', 'tth_not-a-token-of-this-service-0000000000000'],
        ['expired', expiring.body.token],
        ['deleted', deleted.body.token],
      ] as const) {
        const response = await send(op, token, pathOf(op));
        if (response.status !== 401 || !String(response.headers['www-authenticate'] ?? '').startsWith('Bearer') || problemViolation(response.status, response.headers, response.text)) {
          wrong.push(`${label} ${op.method} ${op.path} -> ${response.status} ${response.text.slice(0, 160)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    console.log(`[hardening] isolation: ${checked} requests checked`);
  });

  it('answers public operations without a token', async () => {
    for (const op of operations.filter((o) => o.isPublic && o.method === 'GET')) expect((await send(op, undefined, op.path)).status, op.path).toBe(200);
  });
});

/** What workspace A's objects look like, to prove another workspace's calls changed none of them. */
async function snapshot(t: CloudTestApp, admin: string, owned: Record<string, { id: string }>) {
  const connection = await t.http.get(`/connections/${owned.connections.id}`).set(bearer(admin));
  const secret = await t.http.get(`/secrets/${owned.secrets.id}`).set(bearer(admin));
  const tokens = await t.http.get('/tokens?limit=200').set(bearer(admin));
  return {
    connection: { status: connection.status, etag: connection.headers.etag, externalId: connection.body.auth?.externalId, validation: connection.body.validation },
    secret: { status: secret.status, version: secret.body.version, updatedAt: secret.body.updatedAt },
    token: tokens.body.items.some((x: { id: string }) => x.id === owned.tokens.id),
  };
}

function safeJson(text: string): Record<string, any> | undefined {
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch {
    return undefined;
  }
}
