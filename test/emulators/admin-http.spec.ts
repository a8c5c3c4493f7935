import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type PlatformSeed, startEmulator } from './index';

let emu: Emulator;

async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${emu.url}/__emulator${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(async () => {
  await call('POST', '/reset');
});

describe('admin HTTP API', () => {
  it('sets up a customer role over HTTP that the real SDK then assumes; PUT swaps the trust policy', async () => {
    const seed = (await call<PlatformSeed>('POST', '/seed')).body;
    expect(seed.env['AWS_ENDPOINT_URL']).toBe(emu.url);
    expect((await call('POST', '/accounts', { cloud: 'aws', id: '444444444444' })).status).toBe(201);
    const trust = (externalId: string): unknown => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: seed.aws.principal }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': externalId } } }] });
    const role = await call<{ arn: string }>('POST', '/roles', { cloud: 'aws', account: '444444444444', name: 'R', trustPolicy: trust('first') });
    expect(role).toMatchObject({ status: 201, body: { arn: 'arn:aws:iam::444444444444:role/R' } });

    const client = new STSClient({ region: 'us-east-1', endpoint: emu.url, credentials: { accessKeyId: seed.aws.accessKeyId, secretAccessKey: seed.aws.secret }, maxAttempts: 1 });
    await expect(client.send(new AssumeRoleCommand({ RoleArn: role.body.arn, RoleSessionName: 'session', ExternalId: 'first' }))).resolves.toBeDefined();
    expect((await call('PUT', '/roles/trust-policy', { cloud: 'aws', roleArn: role.body.arn, trustPolicy: trust('second') })).status).toBe(200);
    await expect(client.send(new AssumeRoleCommand({ RoleArn: role.body.arn, RoleSessionName: 'session', ExternalId: 'first' }))).rejects.toMatchObject({ name: 'AccessDenied' });

    const counters = (await call<{ assumeRole: Record<string, unknown>; calls: Record<string, number> }>('GET', '/counters')).body;
    expect(counters.assumeRole[role.body.arn]).toEqual({ ok: 1, denied: 1, error: 0 });
    expect(counters.calls['aws:sts:AssumeRole']).toBe(2);
    const sessions = (await call<Array<{ externalId: string }>>('GET', `/sessions?roleArn=${encodeURIComponent(role.body.arn)}`)).body;
    expect(sessions.map((s) => s.externalId)).toEqual(['first']);
    const attempts = (await call<Array<{ outcome: string; externalId: string }>>('GET', '/assume-role-attempts?cloud=aws')).body;
    expect(attempts.map((a) => [a.outcome, a.externalId])).toEqual([['ok', 'first'], ['denied', 'first']]);
  });

  it('creates users with keys, faults and clock moves', async () => {
    await call('POST', '/accounts', { cloud: 'aws', id: '555555555555' });
    const user = (await call<{ accessKeyId: string; secret: string }>('POST', '/users', { cloud: 'aws', account: '555555555555', name: 'u' })).body;
    expect(user.accessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    const client = new STSClient({ region: 'us-east-1', endpoint: emu.url, credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secret }, maxAttempts: 1 });
    expect((await call('POST', '/faults', { cloud: 'aws', service: 'sts', code: 'InternalFailure', status: 500, times: 1 })).status).toBe(201);
    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InternalFailure' });
    await expect(client.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: '555555555555' });

    const before = (await call<{ now: string }>('GET', '/clock')).body.now;
    const after = (await call<{ now: string; offsetSeconds: number }>('POST', '/clock', { advanceSeconds: 3600 })).body;
    expect(after.offsetSeconds).toBe(3600);
    expect(Date.parse(after.now) - Date.parse(before)).toBeGreaterThanOrEqual(3600_000);
    // Moving the emulator clock does not make SDK signatures stale: skew is checked against the wall clock.
    await expect(client.send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    // A long-lived key can be given an expiry.
    expect((await call('PATCH', '/access-keys', { cloud: 'aws', accessKeyId: user.accessKeyId, expiresAt: before })).status).toBe(200);
    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });

  it('stores bucket objects through either route', async () => {
    await call('POST', '/accounts', { cloud: 'aws', id: '777777777777' });
    expect((await call('POST', '/buckets', { account: '777777777777', name: 'code-bucket', region: 'us-east-1' })).status).toBe(201);
    expect(await call('POST', '/buckets/code-bucket/objects', { key: 'a/b.zip', body: 'UEs=', base64: true })).toMatchObject({ status: 201, body: { size: 2 } });
    expect(await call('POST', '/objects', { bucket: 'code-bucket', key: 'c.txt', body: 'hi' })).toMatchObject({ status: 201, body: { key: 'c.txt' } });
    expect((await call('POST', '/objects', { bucket: 'nope', key: 'c.txt', body: 'hi' })).status).toBe(400);
  });

  it('answers bad input with 400 and unknown routes with 404', async () => {
    expect(await call('POST', '/accounts', { cloud: 'gcp' })).toMatchObject({ status: 400, body: { error: expect.stringContaining('cloud must be one of') } });
    expect(await call('POST', '/accounts', { cloud: 'aws', id: '12' })).toMatchObject({ status: 400 });
    await call('POST', '/accounts', { cloud: 'aws', id: '666666666666' });
    expect(await call('POST', '/roles', { cloud: 'aws', account: '666666666666', name: 'R', trustPolicy: { Statement: [{ Effect: 'Perhaps', Action: '*' }] } })).toMatchObject({ status: 400 });
    expect((await call('GET', '/nothing')).status).toBe(404);
  });

  it('reset forgets identities; reset of counters keeps them', async () => {
    await call('POST', '/seed');
    const seed = emu.admin.seedPlatform();
    const client = new STSClient({ region: 'us-east-1', endpoint: emu.url, credentials: { accessKeyId: seed.aws.accessKeyId, secretAccessKey: seed.aws.secret }, maxAttempts: 1 });
    await client.send(new GetCallerIdentityCommand({}));
    await call('POST', '/reset', { scope: 'counters' });
    expect((await call<{ calls: Record<string, number> }>('GET', '/counters')).body.calls).toEqual({});
    await expect(client.send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    await call('POST', '/reset');
    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });
});
