import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../src/audit/audit.service';
import { checkSessionName } from '../../src/cloud-identifiers';
import { bearer } from './harness/app';
import { Cloud, CloudTestApp, createRoleConnection, installRole, startCloudTestApp } from './harness/clouds';

interface Issued {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  cached: boolean;
  notes?: string[];
}

/**
 * Provenance: tokens created with `provenance: true` get sessions that name the workspace, the
 * connection and the token (RoleSessionName; AWS session tags), cached per token; everyone else
 * keeps sharing one session per connection and scope.
 */
describe('credential provenance', () => {
  let t: CloudTestApp;
  let base: string;
  let workspace: { name: string; adminToken: string };

  const post = async (id: string, token: string, body: object = {}) => {
    const response = await fetch(`${base}/connections/${id}/credentials`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Issued };
  };
  const token = async (provenance: boolean, connections: string[]) => {
    const name = `${provenance ? 'traced' : 'plain'}_${randomBytes(3).toString('hex')}`;
    const created = await t.http.post('/tokens').set(bearer(workspace.adminToken)).send({ name, role: 'service', connections, ...(provenance ? { provenance: true } : {}) });
    expect(created.status).toBe(201);
    expect(created.body.provenance).toBe(provenance);
    return { name, id: created.body.id as string, token: created.body.token as string };
  };
  const okAttempts = (cloud: Cloud, roleArn: string) => t.emulator.admin.assumeRoleAttempts({ cloud, roleArn }).filter((a) => a.outcome === 'ok');

  beforeAll(async () => {
    t = await startCloudTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    workspace = await t.workspace();
  });
  afterAll(() => t?.close());

  it('refuses a provenance flag that is not a boolean, naming the field', async () => {
    const refused = await t.http.post('/tokens').set(bearer(workspace.adminToken)).send({ name: 'odd', role: 'service', provenance: 'yes' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'provenance' })]);
  });

  it('names workspace, connection and token in the AWS session name and tags; others keep sharing one session', async () => {
    const connection = await createRoleConnection(t, workspace.adminToken, 'aws');
    await installRole(t, workspace.adminToken, 'aws', connection);
    const [plainA, plainB, traced] = [await token(false, [connection.name]), await token(false, [connection.name]), await token(true, [connection.name])];

    const shared = await Promise.all(Array.from({ length: 50 }, (_, i) => post(connection.id, (i % 2 ? plainA : plainB).token)));
    const own = await Promise.all(Array.from({ length: 50 }, () => post(connection.id, traced.token)));
    expect([...shared, ...own].every((r) => r.status === 200)).toBe(true);
    expect(new Set(shared.map((r) => r.body.accessKeyId)).size).toBe(1);
    expect(new Set(own.map((r) => r.body.accessKeyId)).size).toBe(1);
    expect(own[0]!.body.accessKeyId).not.toBe(shared[0]!.body.accessKeyId);
    // One session for everyone without provenance, one for the provenance token: single flight holds for both.
    expect(okAttempts('aws', connection.auth.roleArn)).toHaveLength(2);

    const sessions = t.emulator.admin.sessions({ cloud: 'aws', roleArn: connection.auth.roleArn });
    const tracedSession = sessions.find((s) => s.accessKeyId === own[0]!.body.accessKeyId)!;
    const sharedSession = sessions.find((s) => s.accessKeyId === shared[0]!.body.accessKeyId)!;
    expect(tracedSession.sessionName).toBe(`tether-${workspace.name}-${connection.name}-${traced.name}`);
    expect(tracedSession.tags).toEqual({ 'tether:workspace': workspace.name, 'tether:connection': connection.name, 'tether:token': traced.name, 'tether:token-id': traced.id });
    expect(sharedSession.sessionName).toBe(`tether-${connection.name}`);
    expect(sharedSession.tags).toEqual({});

    // The customer's own view: the session's ARN carries the caller.
    const issued = own[0]!.body;
    const sts = new STSClient({ region: 'us-east-1', endpoint: t.seed.env.AWS_ENDPOINT_URL, credentials: { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken }, maxAttempts: 1 });
    try {
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toMatch(new RegExp(`:assumed-role/[^/]+/tether-${workspace.name}-${connection.name}-${traced.name}$`));
    } finally {
      sts.destroy();
    }
    expect(own.every((r) => r.body.notes === undefined)).toBe(true);
  });

  it('falls back to the session name alone when the role\'s trust policy does not allow sts:TagSession, and says so', async () => {
    const connection = await createRoleConnection(t, workspace.adminToken, 'aws');
    const rendered = (await t.http.get(`/connections/${connection.id}/trust-policy`).set(bearer(workspace.adminToken))).body.trustPolicy;
    // A role installed from an older rendering: sts:AssumeRole with the External ID, nothing else.
    const withoutTagging = { ...rendered, Statement: rendered.Statement.filter((s: { Action: string }) => s.Action === 'sts:AssumeRole') };
    expect(withoutTagging.Statement).toHaveLength(1);
    await installRole(t, workspace.adminToken, 'aws', connection, { trustPolicy: withoutTagging });
    const traced = await token(true, [connection.name]);

    const first = await post(connection.id, traced.token);
    expect(first.status).toBe(200);
    expect(first.body.notes?.join(' ')).toMatch(/Session tags were not sent.*sts:TagSession/);
    const attempts = t.emulator.admin.assumeRoleAttempts({ cloud: 'aws', roleArn: connection.auth.roleArn });
    expect(attempts.map((a) => a.outcome)).toEqual(['denied', 'ok']);
    const [session] = t.emulator.admin.sessions({ cloud: 'aws', roleArn: connection.auth.roleArn });
    expect(session).toMatchObject({ sessionName: `tether-${workspace.name}-${connection.name}-${traced.name}`, tags: {} });

    const again = await post(connection.id, traced.token);
    expect(again.body).toMatchObject({ cached: true, accessKeyId: first.body.accessKeyId });
    expect(again.body.notes?.join(' ')).toMatch(/Session tags were not sent/);
    expect(okAttempts('aws', connection.auth.roleArn)).toHaveLength(1);
  });

  it.each<Cloud>(['aliyun', 'tencent'])('names the caller in the %s RoleSessionName within its rules', async (cloud) => {
    const connection = await createRoleConnection(t, workspace.adminToken, cloud);
    await installRole(t, workspace.adminToken, cloud, connection);
    const traced = await token(true, [connection.name]);
    const plain = await token(false, [connection.name]);
    expect((await post(connection.id, traced.token)).status).toBe(200);
    expect((await post(connection.id, plain.token)).status).toBe(200);
    const names = t.emulator.admin.sessions({ cloud, roleArn: connection.auth.roleArn }).map((s) => s.sessionName);
    expect(names.sort()).toEqual([`tether-${connection.name}`, `tether-${workspace.name}-${connection.name}-${traced.name}`].sort());
    for (const name of names) expect(checkSessionName(cloud, name)).toEqual({ ok: true });
  });

  it('records the session name in the audit trail, so a CloudTrail entry leads back to the token', async () => {
    const connection = await createRoleConnection(t, workspace.adminToken, 'aws');
    await installRole(t, workspace.adminToken, 'aws', connection);
    const traced = await token(true, [connection.name]);
    expect((await post(connection.id, traced.token)).status).toBe(200);
    await t.app.get(AuditService).flush();
    const events = await t.http.get(`/audit-events?action=credentials.issue&connection=${connection.id}`).set(bearer(workspace.adminToken));
    const event = events.body.items.find((e: { connectionId: string }) => e.connectionId === connection.id);
    expect(event.detail.sessionName).toBe(`tether-${workspace.name}-${connection.name}-${traced.name}`);
  });
});
