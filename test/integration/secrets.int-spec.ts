import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { Keyring, SealError } from '../../src/secrets/keyring';
import { resealSecrets } from '../../src/secrets/reseal';
import { SecretsService } from '../../src/secrets/secrets.service';
import { bearer, MASTER_KEY, startTestApp, TestApp } from './harness/app';

const CANARY = 'CANARY-aws-secret-9f3b1c7e-do-not-leak';

describe('secrets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('creates, reads, lists, rotates and deletes without ever returning the value', async () => {
    const { adminToken } = await t.workspace();
    const responses: string[] = [];
    const call = async (r: Promise<{ status: number; text: string; body: any }> | any) => {
      const response = await r;
      responses.push(response.text, JSON.stringify(response.headers));
      return response;
    };
    const created = await call(t.http.post('/secrets').set(bearer(adminToken)).send({ name: 'aws_secret_key', value: CANARY }));
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'id', 'name', 'updatedAt', 'version']);
    expect(created.body.version).toBe(1);

    expect((await call(t.http.get(`/secrets/${created.body.id}`).set(bearer(adminToken)))).body.name).toBe('aws_secret_key');
    expect((await call(t.http.get('/secrets/aws_secret_key').set(bearer(adminToken)))).body.id).toBe(created.body.id);
    const duplicate = await call(t.http.post('/secrets').set(bearer(adminToken)).send({ name: 'aws_secret_key', value: 'x' }));
    expect(duplicate.status).toBe(409);

    const rotated = await call(t.http.put('/secrets/aws_secret_key/value').set(bearer(adminToken)).send({ value: `${CANARY}-v2` }));
    expect(rotated.status).toBe(200);
    expect(rotated.body.version).toBe(2);
    const revealed = await t.app.get(SecretsService).reveal(await workspaceOf(t, created.body.id), created.body.id);
    expect(revealed.reveal()).toBe(`${CANARY}-v2`);
    expect(JSON.stringify({ revealed })).not.toContain(CANARY);

    expect((await call(t.http.delete('/secrets/aws_secret_key').set(bearer(adminToken)))).status).toBe(204);
    expect((await call(t.http.get(`/secrets/${created.body.id}`).set(bearer(adminToken)))).status).toBe(404);
    expect(responses.join('\n')).not.toContain(CANARY);
    expect(t.logs.join('\n')).not.toContain(CANARY);
  });

  it('keeps only ciphertext in the database', async () => {
    const { adminToken } = await t.workspace();
    await t.http.post('/secrets').set(bearer(adminToken)).send({ name: 'raw_scan', value: CANARY });
    const rows: { row: string; sealed: Buffer }[] = await t.app.get(DataSource).query(`SELECT s::text AS row, s.sealed FROM secrets s`);
    expect(rows.length).toBeGreaterThan(0);
    for (const { row, sealed } of rows) {
      expect(row).not.toContain(CANARY);
      expect(sealed.includes(Buffer.from(CANARY))).toBe(false);
      expect(row).not.toContain(Buffer.from(CANARY).toString('hex'));
    }
  });

  it('refuses a ciphertext with one changed byte, or moved to another secret', async () => {
    const { adminToken } = await t.workspace();
    const a = (await t.http.post('/secrets').set(bearer(adminToken)).send({ name: 'a', value: 'value-a' })).body;
    const b = (await t.http.post('/secrets').set(bearer(adminToken)).send({ name: 'b', value: 'value-b' })).body;
    const db = t.app.get(DataSource);
    const secrets = t.app.get(SecretsService);
    const workspaceId = await workspaceOf(t, a.id);
    expect((await secrets.reveal(workspaceId, a.id)).reveal()).toBe('value-a');

    await db.query(`UPDATE secrets SET sealed = overlay(sealed placing decode(lpad(to_hex(get_byte(sealed, 30) # 1), 2, '0'), 'hex') from 31 for 1) WHERE id = $1`, [a.id]);
    await expect(secrets.reveal(workspaceId, a.id)).rejects.toBeInstanceOf(SealError);

    await db.query(`UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE id = $1), key_id = (SELECT key_id FROM secrets WHERE id = $1) WHERE id = $2`, [a.id, b.id]);
    await expect(secrets.reveal(workspaceId, b.id)).rejects.toBeInstanceOf(SealError);
  });

  it('pages through a list with an opaque cursor and rejects a forged one', async () => {
    const { adminToken } = await t.workspace();
    for (const name of ['p1', 'p2', 'p3']) await t.http.post('/secrets').set(bearer(adminToken)).send({ name, value: 'v' });
    const first = await t.http.get('/secrets?limit=2').set(bearer(adminToken));
    expect(first.body.items.map((s: { name: string }) => s.name)).toEqual(['p1', 'p2']);
    const second = await t.http.get(`/secrets?limit=2&cursor=${first.body.nextCursor}`).set(bearer(adminToken));
    expect(second.body.items.map((s: { name: string }) => s.name)).toEqual(['p3']);
    expect(second.body.nextCursor).toBeNull();
    const forged = await t.http.get('/secrets?cursor=bm90LWEtY3Vyc29y').set(bearer(adminToken));
    expect(forged.status).toBe(400);
    expect(forged.body.errors[0].field).toBe('cursor');
    expect((await t.http.get('/secrets?limit=0').set(bearer(adminToken))).body.errors[0].field).toBe('limit');
  });

  it('validates names and values', async () => {
    const { adminToken } = await t.workspace();
    const bad = await t.http.post('/secrets').set(bearer(adminToken)).send({ name: 'has space', value: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'value']);
    const wrongType = await t.http.post('/secrets').set(bearer(adminToken)).send({ name: 'ok', value: 42 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors[0].field).toBe('value');
  });
});

async function workspaceOf(t: TestApp, secretId: string): Promise<string> {
  const [row] = await t.app.get(DataSource).query(`SELECT workspace_id FROM secrets WHERE id = $1`, [secretId]);
  return row.workspace_id;
}

describe('re-sealing under a new master key', () => {
  it('moves every secret onto the first key, after which the old key is no longer needed', async () => {
    const newKey = `it2:${Buffer.alloc(32, 9).toString('base64')}`;
    const old = await startTestApp();
    const { adminToken } = await old.workspace();
    const created = (await old.http.post('/secrets').set(bearer(adminToken)).send({ name: 'resealed', value: 'reseal-me' })).body;
    await old.close();

    const rotated = await startTestApp({ TETHER_MASTER_KEYS: `${newKey},${MASTER_KEY}` });
    try {
      const first = await resealSecrets(rotated.app.get(DataSource), rotated.app.get(Keyring));
      expect(first.resealed).toBeGreaterThanOrEqual(1);
      const [row] = await rotated.app.get(DataSource).query(`SELECT key_id, workspace_id FROM secrets WHERE id = $1`, [created.id]);
      expect(row.key_id).toBe('it2');
      // Rows that never opened (the tampering tests above) stay reported, the rest is done.
      const second = await resealSecrets(rotated.app.get(DataSource), rotated.app.get(Keyring));
      expect(second.resealed).toBe(0);
      expect(second.unopenable).toEqual(first.unopenable);
      expect(first.unopenable).not.toContain(created.id);
    } finally {
      await rotated.close();
    }
    const newOnly = await startTestApp({ TETHER_MASTER_KEYS: newKey });
    try {
      const [row] = await newOnly.app.get(DataSource).query(`SELECT workspace_id FROM secrets WHERE id = $1`, [created.id]);
      expect((await newOnly.app.get(SecretsService).reveal(row.workspace_id, created.id)).reveal()).toBe('reseal-me');
    } finally {
      await newOnly.close();
    }
  });
});
