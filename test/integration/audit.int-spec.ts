import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { AuditRetention } from '../../src/audit/audit-retention';
import { bearer, startTestApp, TestApp } from './harness/app';

describe('audit trail', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const events = async (token: string, query = '') => (await t.http.get(`/audit-events${query}`).set(bearer(token))).body.items as any[];

  it('records each mutation once, with its actor and outcome, readable by viewers', async () => {
    const { adminToken } = await t.workspace();
    const viewer = await t.token(adminToken, 'viewer');
    const created = await t.http.post('/secrets').set(bearer(adminToken)).send({ name: 's1', value: 'never-in-audit-9f2' });
    await t.http.put('/secrets/s1/value').set(bearer(adminToken)).send({ value: 'never-in-audit-9f3' });
    await t.http.delete('/secrets/s1').set(bearer(adminToken));
    const trail = await events(viewer, '?action=secret.*');
    expect(trail.map((e) => [e.action, e.outcome, e.actor.name, e.target.id])).toEqual([
      ['secret.create', 'success', 'admin', created.body.id],
      ['secret.rotate', 'success', 'admin', created.body.id],
      ['secret.delete', 'success', 'admin', created.body.id],
    ]);
    expect(trail[1].detail).toEqual({ name: 's1', version: 2 });
    expect(JSON.stringify(trail)).not.toContain('never-in-audit');
    const tokens = await events(viewer, '?action=token.create');
    expect(tokens).toHaveLength(1);
    expect(tokens[0].detail).toEqual({ name: expect.stringMatching(/^viewer_/), role: 'viewer' });
  });

  it('leaves a failure event and no row when a mutation fails', async () => {
    const { adminToken } = await t.workspace();
    await t.http.post('/secrets').set(bearer(adminToken)).send({ name: 'used', value: 'v' });
    await t.http.post('/connections').set(bearer(adminToken)).send({ name: 'c', provider: 'aws', region: 'us-east-1', auth: { type: 'access_key', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: { secret: 'used' } } });
    expect((await t.http.delete('/secrets/used').set(bearer(adminToken))).status).toBe(409);
    const trail = await events(adminToken, '?action=secret.delete');
    expect(trail.map((e) => [e.outcome, e.detail.error])).toEqual([['failure', 'secret-in-use']]);
    expect((await t.http.get('/secrets/used').set(bearer(adminToken))).status).toBe(200);
    expect(await events(adminToken, '?outcome=failure')).toHaveLength(1);
  });

  it('verifies the hash chain and names the first event changed or removed', async () => {
    const { adminToken } = await t.workspace();
    for (const name of ['a', 'b', 'c', 'd']) await t.http.post('/secrets').set(bearer(adminToken)).send({ name, value: 'v' });
    const intact = await t.http.get('/audit-events/verify').set(bearer(adminToken));
    expect(intact.body).toEqual({ ok: true, checked: 4, firstMismatch: null });

    const trail = await events(adminToken, '?action=secret.create');
    const db = t.app.get(DataSource);
    await db.query(`UPDATE audit_events SET detail = '{"name": "forged"}' WHERE id = $1`, [trail[1].id]);
    const edited = await t.http.get('/audit-events/verify').set(bearer(adminToken));
    expect(edited.body.ok).toBe(false);
    expect(edited.body.checked).toBe(1);
    expect(edited.body.firstMismatch).toMatchObject({ id: trail[1].id, reason: expect.stringContaining('changed') });

    await db.query(`UPDATE audit_events SET detail = '{"name": "b"}' WHERE id = $1`, [trail[1].id]);
    expect((await t.http.get('/audit-events/verify').set(bearer(adminToken))).body.ok).toBe(true);
    await db.query(`DELETE FROM audit_events WHERE id = $1`, [trail[2].id]);
    const removed = await t.http.get('/audit-events/verify').set(bearer(adminToken));
    expect(removed.body.firstMismatch).toMatchObject({ id: trail[3].id, reason: expect.stringContaining('removed') });
  });

  it('exports JSON lines with the list\'s filters', async () => {
    const { adminToken } = await t.workspace();
    for (const name of ['e1', 'e2', 'e3']) await t.http.post('/secrets').set(bearer(adminToken)).send({ name, value: 'v' });
    const response = await t.http.get('/audit-events/export?action=secret.create').set(bearer(adminToken));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = response.text.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((e) => e.detail.name)).toEqual(['e1', 'e2', 'e3']);
    expect((await t.http.get('/audit-events/export?outcome=maybe').set(bearer(adminToken))).status).toBe(400);
  });

  it('prunes events older than the retention, and the chain of what remains still verifies', async () => {
    const { adminToken } = await t.workspace();
    for (const name of ['r1', 'r2', 'r3']) await t.http.post('/secrets').set(bearer(adminToken)).send({ name, value: 'v' });
    const trail = await events(adminToken, '?action=secret.create');
    const db = t.app.get(DataSource);
    // Only the oldest event is aged; what remains is anchored by its own previous-hash.
    await db.query(`UPDATE audit_events SET created_at = now() - interval '400 days' WHERE id = $1`, [trail[0].id]);
    const keeper = await startTestApp({ TETHER_AUDIT_RETENTION_DAYS: '365' });
    try {
      expect(await keeper.app.get(AuditRetention).prune()).toBe(1);
    } finally {
      await keeper.close();
    }
    expect((await events(adminToken, '?action=secret.create')).map((e) => e.detail.name)).toEqual(['r2', 'r3']);
    expect((await t.http.get('/audit-events/verify').set(bearer(adminToken))).body).toEqual({ ok: true, checked: 2, firstMismatch: null });
  });

  it('filters by time range, actor and connection, and refuses bad filters', async () => {
    const { adminToken } = await t.workspace();
    const before = new Date(Date.now() - 1000).toISOString();
    await t.http.post('/secrets').set(bearer(adminToken)).send({ name: 'f1', value: 'v' });
    const all = await events(adminToken);
    expect(all.length).toBeGreaterThan(0);
    expect(await events(adminToken, `?to=${encodeURIComponent(before)}`)).toEqual([]);
    expect((await events(adminToken, `?actor=${all[0].actor.tokenId}`)).length).toBe(all.length);
    const bad = await t.http.get('/audit-events?connection=nope&from=yesterday').set(bearer(adminToken));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['connection', 'from']);
  });
});
