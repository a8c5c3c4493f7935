import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialBroker } from '../../src/credentials/credential-broker';
import { PlatformSessions } from '../../src/credentials/platform-sessions';
import { bearer } from './harness/app';
import { CloudTestApp, createRoleConnection, installRole, startCloudTestApp } from './harness/clouds';

const MIN = 60;
const PLATFORM_ACCOUNT = '111111111111';
const JUMP_ROLE = `arn:aws:iam::${PLATFORM_ACCOUNT}:role/tether-jump`;
const JUMP_SESSION = `arn:aws:sts::${PLATFORM_ACCOUNT}:assumed-role/tether-jump/tether-platform`;

interface Issued {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  cached: boolean;
  durationSeconds: number;
  durationCappedReason?: string;
  type?: string;
  detail?: string;
}

/**
 * The platform principal customers trust is an IAM role (TETHER_AWS_PRINCIPAL_ARN names a role):
 * Tether assumes it from its ambient keys, then the customer's role from that session.
 */
describe('credential broker with a platform role (role chaining)', () => {
  let t: CloudTestApp;
  let admin: string;
  let base: string;
  let offsetSeconds = 0;

  const post = async (id: string, token: string, body: object = {}) => {
    const response = await fetch(`${base}/connections/${id}/credentials`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Issued };
  };
  const attempts = (roleArn: string) => t.emulator.admin.assumeRoleAttempts({ cloud: 'aws', roleArn });
  const okAttempts = (roleArn: string) => attempts(roleArn).filter((a) => a.outcome === 'ok');
  const advance = (seconds: number) => {
    offsetSeconds += seconds;
    t.emulator.admin.advanceClock(seconds);
  };

  beforeAll(async () => {
    t = await startCloudTestApp({ TETHER_AWS_PRINCIPAL_ARN: JUMP_ROLE });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    admin = (await t.workspace()).adminToken;
    t.app.get(CredentialBroker).useClock({ now: () => Date.now() + offsetSeconds * 1000 });
    // The operator's jump role: trusted by the platform account, allowed to assume customers' roles.
    t.emulator.admin.createRole({
      cloud: 'aws',
      account: PLATFORM_ACCOUNT,
      name: 'tether-jump',
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] },
      permissionPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: '*' }] }],
    });
  });
  afterAll(() => t?.close());

  it('renders the platform role as the principal, and a customer role trusting only it gets chained credentials', async () => {
    const connection = await createRoleConnection(t, admin, 'aws');
    const rendered = (await t.http.get(`/connections/${connection.id}/trust-policy`).set(bearer(admin))).body;
    expect(rendered.principal).toBe(JUMP_ROLE);
    expect(JSON.stringify(rendered.trustPolicy)).toContain(JUMP_ROLE);
    await installRole(t, admin, 'aws', connection);
    const service = await t.token(admin, 'service', { connections: [connection.name] });

    const responses = await Promise.all(Array.from({ length: 200 }, () => post(connection.id, service, { durationSeconds: 7200 })));
    expect(responses.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
    for (const r of responses) {
      expect(r.body.durationSeconds).toBe(3600);
      expect(r.body.durationCappedReason).toMatch(/^role-chaining: /);
    }
    expect(new Set(responses.map((r) => r.body.accessKeyId)).size).toBe(1);

    // One AssumeRole for the jump role, one for the customer's role, made by the jump session.
    expect(okAttempts(JUMP_ROLE)).toHaveLength(1);
    expect(attempts(JUMP_ROLE)[0]).toMatchObject({ externalId: undefined, durationSeconds: 3600 });
    expect(okAttempts(connection.auth.roleArn)).toHaveLength(1);
    expect(attempts(connection.auth.roleArn)[0]).toMatchObject({ callerArn: JUMP_SESSION, externalId: connection.auth.externalId, durationSeconds: 3600 });
    const [session] = t.emulator.admin.sessions({ cloud: 'aws', roleArn: connection.auth.roleArn });
    expect(session).toMatchObject({ chained: true, durationSeconds: 3600, issuedTo: JUMP_SESSION });

    // The keys work, as the customer's role.
    const issued = responses[0]!.body;
    const sts = new STSClient({ region: 'us-east-1', endpoint: t.seed.env.AWS_ENDPOINT_URL, credentials: { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken }, maxAttempts: 1 });
    try {
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toContain(`:assumed-role/${connection.auth.roleArn.split('/').pop()}/`);
    } finally {
      sts.destroy();
    }

    // Durations within the limit are not capped and give no reason.
    const short = await post(connection.id, service, { durationSeconds: 900 });
    expect(short.body.durationSeconds).toBe(900);
    expect(short.body.durationCappedReason).toBeUndefined();
    // The jump session is reused for the second key.
    expect(okAttempts(JUMP_ROLE)).toHaveLength(1);
    expect(okAttempts(connection.auth.roleArn)).toHaveLength(2);
  });

  it('refreshes the jump session and the customer session once each per lifetime', async () => {
    const connection = await createRoleConnection(t, admin, 'aws');
    await installRole(t, admin, 'aws', connection);
    const jumpsBefore = okAttempts(JUMP_ROLE).length;
    const first = (await post(connection.id, admin)).body;
    expect(okAttempts(connection.auth.roleArn)).toHaveLength(1);
    advance(41 * MIN); // both sessions last an hour: 19 minutes left, inside the refresh window
    const during = await Promise.all(Array.from({ length: 100 }, () => post(connection.id, admin)));
    expect(during.every((r) => r.status === 200)).toBe(true);
    await expect.poll(() => okAttempts(connection.auth.roleArn).length).toBe(2);
    const after = (await post(connection.id, admin)).body;
    expect(after.accessKeyId).not.toBe(first.accessKeyId);
    // The jump session was due too: refreshed once in the background, while the still-valid one
    // signed the customer's refresh.
    await expect.poll(() => okAttempts(JUMP_ROLE).length - jumpsBefore).toBe(1);
    await Promise.all(Array.from({ length: 50 }, () => post(connection.id, admin)));
    expect(okAttempts(connection.auth.roleArn)).toHaveLength(2);
  });

  it('validates through the platform role, and catches a customer role that trusts it without the External ID', async () => {
    const secure = await createRoleConnection(t, admin, 'aws');
    await installRole(t, admin, 'aws', secure);
    const valid = await t.http.post(`/connections/${secure.id}/validate`).set(bearer(admin));
    expect(valid.body.status).toBe('valid');
    expect(attempts(secure.auth.roleArn).every((a) => a.callerArn === JUMP_SESSION)).toBe(true);

    const open = await createRoleConnection(t, admin, 'aws');
    const rendered = (await t.http.get(`/connections/${open.id}/trust-policy`).set(bearer(admin))).body;
    const careless = structuredClone(rendered.trustPolicy);
    for (const statement of careless.Statement) delete statement.Condition;
    await installRole(t, admin, 'aws', open, { trustPolicy: careless });
    const insecure = await t.http.post(`/connections/${open.id}/validate`).set(bearer(admin));
    expect(insecure.body.status).toBe('insecure');
  });

  it('says that the platform role is misconfigured, not the customer\'s, when the jump fails', async () => {
    const connection = await createRoleConnection(t, admin, 'aws');
    await installRole(t, admin, 'aws', connection);
    t.app.get(PlatformSessions).cache.clear();
    t.emulator.admin.putTrustPolicy({ cloud: 'aws', roleArn: JUMP_ROLE, trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] } });
    try {
      const refused = await post(connection.id, admin);
      expect(refused.status).toBe(502);
      expect(refused.body.type).toBe('/problems/platform-identity-failed');
      expect(refused.body.detail).toContain(JUMP_ROLE);
      expect(okAttempts(connection.auth.roleArn)).toHaveLength(0);
    } finally {
      t.emulator.admin.putTrustPolicy({
        cloud: 'aws',
        roleArn: JUMP_ROLE,
        trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] },
      });
    }
    expect((await post(connection.id, admin)).status).toBe(200);
  });
});
