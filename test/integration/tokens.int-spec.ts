import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { TokensService } from '../../src/auth/tokens.service';
import { BOOTSTRAP_TOKEN, bearer, startTestApp, TestApp } from './harness/app';

describe('API tokens, roles and workspaces', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers health without a token and everything else only with one', async () => {
    expect((await t.http.get('/healthz')).status).toBe(200);
    expect((await t.http.get('/readyz')).body).toEqual({ status: 'ready' });
    const missing = await t.http.get('/secrets');
    expect(missing.status).toBe(401);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ type: '/problems/unauthenticated', status: 401 });
    expect(missing.headers['x-request-id']).toBe(missing.body.requestId);
    expect((await t.http.get('/secrets').set(bearer('tth_not-a-real-token'))).status).toBe(401);
  });

  it('shows a token once, keeps only its hash, and lists it without the token', async () => {
    const { adminToken } = await t.workspace();
    const created = await t.http.post('/tokens').set(bearer(adminToken)).send({ name: 'engine', role: 'service', connections: ['udf_noah'] });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^tth_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({ name: 'engine', role: 'service', connections: ['udf_noah'], expiresAt: null });
    const listed = await t.http.get('/tokens').set(bearer(adminToken));
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(created.body.token);
    expect(listed.body.items.map((i: { name: string }) => i.name).sort()).toEqual(['admin', 'engine']);
    const rows: { row: string }[] = await t.app.get(DataSource).query(`SELECT t::text AS row FROM api_tokens t`);
    expect(rows.some((r) => r.row.includes(created.body.token))).toBe(false);
    expect(rows.some((r) => r.row.includes(BOOTSTRAP_TOKEN))).toBe(false);
  });

  it('enforces roles: 403 for a role that may not', async () => {
    const { adminToken } = await t.workspace();
    const viewer = await t.token(adminToken, 'viewer');
    const editor = await t.token(adminToken, 'editor');
    const service = await t.token(adminToken, 'service');
    expect((await t.http.get('/secrets').set(bearer(viewer))).status).toBe(200);
    const denied = await t.http.post('/secrets').set(bearer(viewer)).send({ name: 's', value: 'v' });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toContain('viewer');
    expect((await t.http.post('/secrets').set(bearer(editor)).send({ name: 's', value: 'v' })).status).toBe(201);
    expect((await t.http.get('/secrets').set(bearer(service))).status).toBe(403);
    expect((await t.http.post('/tokens').set(bearer(editor)).send({ name: 'x', role: 'admin' })).status).toBe(403);
    expect((await t.http.post('/workspaces').set(bearer(adminToken)).send({ name: 'nope' })).status).toBe(403);
    expect((await t.http.get('/workspaces').set(bearer(BOOTSTRAP_TOKEN))).status).toBe(200);
  });

  it('refuses expired and deleted tokens with 401, at once although tokens are cached', async () => {
    const { adminToken } = await t.workspace();
    const created = await t.http.post('/tokens').set(bearer(adminToken)).send({ name: 'short', role: 'viewer', expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(created.status).toBe(201);
    // Used, so this process holds it in memory from now on.
    expect((await t.http.get('/secrets').set(bearer(created.body.token))).status).toBe(200);
    const tokens = t.app.get(TokensService);
    tokens.useClock({ now: () => Date.now() + 3600_000 });
    try {
      const expired = await t.http.get('/secrets').set(bearer(created.body.token));
      expect(expired.status).toBe(401);
      expect(expired.body.detail).toMatch(/expired/);
    } finally {
      tokens.useClock({ now: () => Date.now() });
    }

    const other = await t.http.post('/tokens').set(bearer(adminToken)).send({ name: 'gone', role: 'viewer' });
    expect((await t.http.get('/secrets').set(bearer(other.body.token))).status).toBe(200);
    expect((await t.http.delete(`/tokens/${other.body.id}`).set(bearer(adminToken))).status).toBe(204);
    expect((await t.http.get('/secrets').set(bearer(other.body.token))).status).toBe(401);
  });

  it('sees a token deleted by another replica within TETHER_LOOKUP_CACHE_SECONDS', async () => {
    const { adminToken } = await t.workspace();
    const created = await t.http.post('/tokens').set(bearer(adminToken)).send({ name: 'elsewhere', role: 'viewer' });
    expect((await t.http.get('/secrets').set(bearer(created.body.token))).status).toBe(200);
    // Another replica deletes it: this process learns nothing but its copy ages out.
    await t.app.get(DataSource).query('DELETE FROM api_tokens WHERE id = $1', [created.body.id]);
    const tokens = t.app.get(TokensService);
    let offsetMs = 0;
    tokens.useClock({ now: () => Date.now() + offsetMs });
    try {
      offsetMs = t.config.lookupCacheSeconds * 1000 - 1000;
      expect((await t.http.get('/secrets').set(bearer(created.body.token))).status).toBe(200);
      offsetMs = t.config.lookupCacheSeconds * 1000;
      expect((await t.http.get('/secrets').set(bearer(created.body.token))).status).toBe(401);
    } finally {
      tokens.useClock({ now: () => Date.now() });
    }
  });

  it('hides other workspaces\' objects behind 404', async () => {
    const a = await t.workspace();
    const b = await t.workspace();
    const secret = await t.http.post('/secrets').set(bearer(a.adminToken)).send({ name: 'only_a', value: 'v' });
    const token = await t.http.post('/tokens').set(bearer(a.adminToken)).send({ name: 'only_a', role: 'viewer' });
    expect((await t.http.get(`/secrets/${secret.body.id}`).set(bearer(b.adminToken))).status).toBe(404);
    expect((await t.http.get('/secrets/only_a').set(bearer(b.adminToken))).status).toBe(404);
    expect((await t.http.delete(`/secrets/${secret.body.id}`).set(bearer(b.adminToken))).status).toBe(404);
    expect((await t.http.delete(`/tokens/${token.body.id}`).set(bearer(b.adminToken))).status).toBe(404);
    expect((await t.http.get('/tokens').set(bearer(b.adminToken))).text).not.toContain(token.body.id);
    expect((await t.http.get(`/secrets/${secret.body.id}`).set(bearer(a.adminToken))).status).toBe(200);
  });

  it('names bad fields in problem+json', async () => {
    const { adminToken } = await t.workspace();
    const bad = await t.http.post('/tokens').set(bearer(adminToken)).send({ name: '9 lives', role: 'root', extra: 1 });
    expect(bad.status).toBe(400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['extra', 'name', 'role']);
    const scoped = await t.http.post('/tokens').set(bearer(adminToken)).send({ name: 'a', role: 'viewer', connections: ['x'] });
    expect(scoped.status).toBe(400);
    expect(scoped.body.errors).toEqual([{ field: 'connections', message: expect.stringContaining('service') }]);
    const malformed = await t.http.post('/tokens').set(bearer(adminToken)).set('content-type', 'application/json').send('{"name":');
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/problem\+json/);
    expect((await t.http.delete('/tokens/not-a-uuid').set(bearer(adminToken))).status).toBe(404);
  });

  it('serves the API document and Swagger UI without a token, and never logs a token', async () => {
    const { adminToken } = await t.workspace();
    await t.http.get('/secrets').set(bearer(adminToken));
    const document = await t.http.get('/openapi.json');
    expect(document.status).toBe(200);
    expect(document.body.paths['/connections']).toBeDefined();
    const ui = await t.http.get('/docs');
    expect([200, 301, 302]).toContain(ui.status);
    const logs = t.logs.join('\n');
    expect(logs).toContain('"route":"/secrets"');
    expect(logs).not.toContain(adminToken);
    expect(logs).not.toContain(BOOTSTRAP_TOKEN);
  });

  it('refuses a second workspace with the same name', async () => {
    const { name } = await t.workspace();
    const again = await t.http.post('/workspaces').set(bearer(BOOTSTRAP_TOKEN)).send({ name });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].field).toBe('name');
  });
});
