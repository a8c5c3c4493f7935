import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostureScheduler } from '../../src/posture/posture-scheduler';
import { bearer, TestApp } from './harness/app';
import { CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp, startReplica } from './harness/clouds';

function withoutCondition(trustPolicy: any): any {
  const copy = structuredClone(trustPolicy);
  for (const statement of copy.Statement) delete statement.Condition;
  return copy;
}

describe('posture checks', () => {
  let t: CloudTestApp;
  let replica: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startCloudTestApp({ TETHER_POSTURE_INTERVAL_SECONDS: '1' });
    replica = await startReplica(t, { TETHER_POSTURE_INTERVAL_SECONDS: '3600' });
    admin = (await t.workspace()).adminToken;
    t.emulator.admin.createAccount({ cloud: 'aws', id: CUSTOMER.aws.account, name: 'customer' });
  });
  afterAll(async () => {
    await replica.close();
    await t.close();
  });

  it('marks a connection insecure when its trust policy is loosened, and a validation brings it back', async () => {
    const connection = await createRoleConnection(t, admin, 'aws');
    await installRole(t, admin, 'aws', connection);
    expect((await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin))).body.status).toBe('valid');
    const rendered = (await t.http.get(`/connections/${connection.id}/trust-policy`).set(bearer(admin))).body.trustPolicy;
    t.emulator.admin.putTrustPolicy({ cloud: 'aws', roleArn: connection.auth.roleArn, trustPolicy: withoutCondition(rendered) });

    // The scheduler of the first app runs every second; wait for its sweep to see the change.
    let status = 'valid';
    for (let i = 0; i < 50 && status !== 'insecure'; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await t.http.get(`/connections/${connection.id}`).set(bearer(admin))).body.validation.status;
    }
    expect(status).toBe('insecure');
    const events = await t.http.get(`/audit-events?action=connection.validate&connection=${connection.id}`).set(bearer(admin));
    const sweep = events.body.items.find((e: { actor: { name: string } }) => e.actor.name === 'posture-check');
    expect(sweep.detail).toMatchObject({ status: 'insecure', trigger: 'posture', failed: ['external_id_required'] });
    expect((await t.http.get('/metrics')).text).toMatch(/tether_validations_total\{status="insecure",trigger="posture"\} [1-9]/);

    t.emulator.admin.putTrustPolicy({ cloud: 'aws', roleArn: connection.auth.roleArn, trustPolicy: rendered });
    expect((await t.http.post(`/connections/${connection.id}/validate`).set(bearer(admin))).body.status).toBe('valid');
  });

  it('lets exactly one replica run a sweep', async () => {
    const first = t.app.get(PostureScheduler);
    const second = replica.app.get(PostureScheduler);
    // Stop the first app's own timer so only the calls below compete; then let its half interval pass.
    await first.onApplicationShutdown();
    await new Promise((r) => setTimeout(r, 600));
    const runs = await Promise.all([first.runOnce(), second.runOnce(), first.runOnce(), second.runOnce()]);
    expect(runs.filter((r) => r.ran)).toHaveLength(1);
  });
});
