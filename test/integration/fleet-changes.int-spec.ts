import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from './harness/app';
import { CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp, startReplica } from './harness/clouds';

/**
 * Replicas tell each other about changes (LISTEN/NOTIFY), so a token deleted or a connection
 * changed through one replica stops being served by the others at once. The replicas here keep
 * what they read for a minute: only the notification can explain a change seen within seconds.
 */
// Several replicas on one server: PostgreSQL only (the embedded PGlite serves one process).
describe.runIf(process.env.TETHER_TEST_DATABASE === 'postgres')('changes across replicas', () => {
  let first: CloudTestApp;
  let second: TestApp;
  let urls: string[];
  let admin: string;

  beforeAll(async () => {
    first = await startCloudTestApp({ TETHER_LOOKUP_CACHE_SECONDS: '60' });
    second = await startReplica(first, { TETHER_LOOKUP_CACHE_SECONDS: '60' });
    urls = [];
    for (const replica of [first, second]) {
      await replica.app.listen(0, '127.0.0.1');
      urls.push((await replica.app.getUrl()).replace('[::1]', '127.0.0.1'));
    }
    admin = (await first.workspace()).adminToken;
    first.emulator.admin.createAccount({ cloud: 'aws', id: CUSTOMER.aws.account, name: 'customer' });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  const credentials = async (replica: number, id: string, token: string) =>
    (await fetch(`${urls[replica]}/connections/${id}/credentials`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' })).status;

  const ready = async () => {
    const connection = await createRoleConnection(first, admin, 'aws');
    await installRole(first, admin, 'aws', connection);
    return connection;
  };

  it('refuses a token deleted through another replica within moments, not after the cache lifetime', async () => {
    const connection = await ready();
    const created = await first.http.post('/tokens').set('authorization', `Bearer ${admin}`).send({ name: `engine_${Date.now()}`, role: 'service', connections: [connection.name] });
    const { id, token: service } = created.body as { id: string; token: string };
    expect(await credentials(1, connection.id, service)).toBe(200);
    expect((await first.http.delete(`/tokens/${id}`).set('authorization', `Bearer ${admin}`)).status).toBe(204);
    await expect.poll(() => credentials(1, connection.id, service), { timeout: 3000, interval: 50 }).toBe(401);
  });

  it('stops serving a connection deleted through another replica within moments', async () => {
    const connection = await ready();
    expect(await credentials(1, connection.id, admin)).toBe(200);
    expect((await first.http.delete(`/connections/${connection.id}`).set('authorization', `Bearer ${admin}`)).status).toBe(204);
    await expect.poll(() => credentials(1, connection.id, admin), { timeout: 3000, interval: 50 }).toBe(404);
  });

  it('listens again after losing its connection to the server', async () => {
    const database = first.app.get(DataSource);
    const listeners = async () =>
      Number((await database.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN tether_changes'"))[0].n);
    expect(await listeners()).toBe(2);
    await database.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN tether_changes'");
    await expect.poll(listeners, { timeout: 5000, interval: 100 }).toBe(2);
    const connection = await ready();
    expect(await credentials(1, connection.id, admin)).toBe(200);
    expect((await first.http.delete(`/connections/${connection.id}`).set('authorization', `Bearer ${admin}`)).status).toBe(204);
    await expect.poll(() => credentials(1, connection.id, admin), { timeout: 3000, interval: 50 }).toBe(404);
  });

  it('drops only what changed: another connection keeps its cached credentials', async () => {
    const connection = await ready();
    const untouched = await ready();
    expect(await credentials(1, untouched.id, admin)).toBe(200);
    expect((await first.http.delete(`/connections/${connection.id}`).set('authorization', `Bearer ${admin}`)).status).toBe(204);
    const before = first.emulator.admin.assumeRoleAttempts({ cloud: 'aws', roleArn: untouched.auth.roleArn }).length;
    expect(await credentials(1, untouched.id, admin)).toBe(200);
    expect(first.emulator.admin.assumeRoleAttempts({ cloud: 'aws', roleArn: untouched.auth.roleArn }).length).toBe(before);
  });
});
