import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { migrateUnderLock } from '../../src/database/database';
import { startTestApp, TestApp } from './harness/app';

describe('migrations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('a second run applies nothing and leaves the schema as it was', async () => {
    const db = t.app.get(DataSource);
    const schema = () =>
      db.query(`SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`);
    const before = await schema();
    expect(await migrateUnderLock(db)).toBe(0);
    expect(await schema()).toEqual(before);
    const applied: { name: string }[] = await db.query(`SELECT name FROM typeorm_migrations`);
    expect(applied.map((m) => m.name)).toContain('CreateFoundation1763900000000');
  });
});
