import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialBroker } from '../../src/credentials/credential-broker';
import { TestApp } from './harness/app';
import { CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp, startReplica } from './harness/clouds';

const MIN = 60;

/**
 * Three Tether processes' worth of apps on one database and one emulator: the fleet must make one
 * AssumeRole per key per lifetime, whichever replica a caller reaches.
 */
// A fleet means several processes on one PostgreSQL server. The embedded PGlite serves one process
// (its socket bridge cannot keep several clients' transactions apart), so this runs on the server.
describe.runIf(process.env.TETHER_TEST_DATABASE === 'postgres')('credential broker across replicas', () => {
  let first: CloudTestApp;
  let replicas: TestApp[];
  let urls: string[];
  let admin: string;
  let offsetSeconds = 0;

  beforeAll(async () => {
    first = await startCloudTestApp();
    replicas = [first, await startReplica(first), await startReplica(first)];
    urls = [];
    for (const replica of replicas) {
      await replica.app.listen(0, '127.0.0.1');
      urls.push((await replica.app.getUrl()).replace('[::1]', '127.0.0.1'));
      replica.app.get(CredentialBroker).useClock({ now: () => Date.now() + offsetSeconds * 1000 });
    }
    admin = (await first.workspace()).adminToken;
    first.emulator.admin.createAccount({ cloud: 'aws', id: CUSTOMER.aws.account, name: 'customer' });
  });
  afterAll(async () => {
    for (const replica of (replicas ?? []).slice(1)) await replica.close();
    await first?.close();
  });

  const post = async (replica: number, id: string, token: string, body: object = {}) => {
    const response = await fetch(`${urls[replica]}/connections/${id}/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { accessKeyId: string; expiration: string } };
  };
  const attempts = (roleArn: string) => first.emulator.admin.assumeRoleAttempts({ cloud: 'aws', roleArn }).filter((a) => a.outcome === 'ok').length;

  it('makes one AssumeRole per key across three replicas under concurrent load, and one refresh per key', async () => {
    const connections: Awaited<ReturnType<typeof createRoleConnection>>[] = [];
    for (let i = 0; i < 2; i += 1) {
      const connection = await createRoleConnection(first, admin, 'aws');
      await installRole(first, admin, 'aws', connection);
      connections.push(connection);
    }
    const service = await first.token(admin, 'service', { connections: connections.map((c) => c.name) });
    // Two keys per connection (two duration classes), 600 requests spread over the replicas.
    const load = () =>
      Promise.all(
        Array.from({ length: 600 }, (_, i) => {
          const connection = connections[i % 2]!;
          return post(i % 3, connection.id, service, { durationSeconds: i % 4 < 2 ? 3600 : 900 });
        }),
      );
    const cold = await load();
    expect(cold.filter((r) => r.status !== 200)).toEqual([]);
    for (const connection of connections) {
      expect(attempts(connection.auth.roleArn)).toBe(2);
      const durations = first.emulator.admin.assumeRoleAttempts({ roleArn: connection.auth.roleArn }).map((a) => a.durationSeconds);
      expect(durations.sort()).toEqual([3600, 900].sort());
    }
    // Every replica hands out the same keys for a key.
    expect(new Set(cold.map((r) => r.body.accessKeyId)).size).toBe(4);

    // Past the 3600 s class's refresh point (19 min left), not the 900 s class's expiry by much:
    // move both clocks together; the fleet refreshes each 3600 s key once.
    offsetSeconds += 41 * MIN;
    first.emulator.admin.advanceClock(41 * MIN);
    const warm = await load();
    // The 900 s class expired meanwhile: those requests block on one new AssumeRole per key.
    expect(warm.filter((r) => r.status !== 200)).toEqual([]);
    for (const r of warm) expect(Date.parse(r.body.expiration) - (Date.now() + offsetSeconds * 1000)).toBeGreaterThan(3 * MIN * 1000);
    await expect.poll(() => connections.map((c) => attempts(c.auth.roleArn))).toEqual([4, 4]);
    await load();
    expect(connections.map((c) => attempts(c.auth.roleArn))).toEqual([4, 4]);
  });

  it('does not use another replica\'s credentials after an edit', async () => {
    const connection = await createRoleConnection(first, admin, 'aws');
    await installRole(first, admin, 'aws', connection);
    const before = await Promise.all([0, 1, 2].map((r) => post(r, connection.id, admin)));
    expect(new Set(before.map((r) => r.body.accessKeyId)).size).toBe(1);
    const read = await fetch(`${urls[1]}/connections/${connection.id}`, { headers: { authorization: `Bearer ${admin}` } });
    const edited = await fetch(`${urls[1]}/connections/${connection.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'if-match': read.headers.get('etag') as string },
      body: JSON.stringify({ comment: 'edited on replica 1' }),
    });
    expect(edited.status).toBe(200);
    // Replicas 0 and 2 still hold the old connection and its credentials in memory. Once their copy
    // of the connection is older than TETHER_LOOKUP_CACHE_SECONDS they read the new version, and
    // the version stamp keeps them from using the old credentials.
    offsetSeconds += first.config.lookupCacheSeconds;
    const after = await Promise.all([0, 2, 1].map((r) => post(r, connection.id, admin)));
    expect(after.every((r) => r.body.accessKeyId !== before[0]!.body.accessKeyId)).toBe(true);
    expect(new Set(after.map((r) => r.body.accessKeyId)).size).toBe(1);
    expect(attempts(connection.auth.roleArn)).toBe(2);
  });
});
