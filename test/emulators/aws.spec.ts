import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { GetFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type PlatformSeed, startEmulator } from './index';

const CUSTOMER = '222222222222';
const REGION = 'us-east-1';
const EXTERNAL_ID = 'tether-ext-0123456789abcdef';

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

let emu: Emulator;
let seed: PlatformSeed;
let platform: Creds;

const sts = (credentials: Creds, extra: { systemClockOffset?: number } = {}): STSClient => new STSClient({ region: REGION, endpoint: emu.url, credentials, maxAttempts: 1, ...extra });
const lambda = (credentials: Creds, extra: { systemClockOffset?: number } = {}): LambdaClient => new LambdaClient({ region: REGION, endpoint: emu.url, credentials, maxAttempts: 1, ...extra });

/** Resolves to the SDK error (name + HTTP status), or fails the test if the call succeeded. */
async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail');
}

function trustPolicy(condition?: Record<string, unknown>): unknown {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: seed.aws.principal }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) }] };
}

const invokeAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction', 'lambda:GetFunction', 'lambda:ListFunctions'], Resource: '*' }] };

function roleArn(name: string): string {
  return `arn:aws:iam::${CUSTOMER}:role/${name}`;
}

async function assume(name: string, extra: Partial<{ ExternalId: string; DurationSeconds: number; Policy: string }> = {}, credentials: Creds = platform): Promise<Creds> {
  const out = await sts(credentials).send(new AssumeRoleCommand({ RoleArn: roleArn(name), RoleSessionName: 'tether-test', ExternalId: EXTERNAL_ID, ...extra }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  platform = { accessKeyId: seed.aws.accessKeyId, secretAccessKey: seed.aws.secret };
  emu.admin.createAccount({ cloud: 'aws', id: CUSTOMER });
  emu.admin.createRole({ cloud: 'aws', account: CUSTOMER, name: 'Tether', trustPolicy: trustPolicy({ StringEquals: { 'sts:ExternalId': EXTERNAL_ID } }), permissionPolicies: [invokeAll], maxSessionDurationSeconds: 43200 });
  emu.admin.createRole({ cloud: 'aws', account: CUSTOMER, name: 'Open', trustPolicy: trustPolicy(), permissionPolicies: [invokeAll] });
  emu.admin.createFunction({ cloud: 'aws', account: CUSTOMER, region: REGION, name: 'echo', behaviour: { type: 'echo' }, versions: ['1'], aliases: { prod: '1' } });
  emu.admin.createFunction({ cloud: 'aws', account: CUSTOMER, region: REGION, name: 'rows', behaviour: { type: 'rows' } });
  emu.admin.createFunction({ cloud: 'aws', account: CUSTOMER, region: REGION, name: 'boom', behaviour: { type: 'error', errorType: 'ValueError', errorMessage: 'bad input' } });
});

describe('AWS STS signatures', () => {
  it('accepts a correctly signed request and says who the caller is', async () => {
    const me = await sts(platform).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: seed.aws.account, Arn: seed.aws.arn });
    expect(emu.admin.counters().calls['aws:sts:GetCallerIdentity']).toBe(1);
  });

  it('refuses a wrong secret with SignatureDoesNotMatch 403', async () => {
    const e = await failure(sts({ ...platform, secretAccessKey: `${platform.secretAccessKey}x` }).send(new GetCallerIdentityCommand({})));
    expect(e).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
  });

  it('refuses an unknown key with InvalidClientTokenId 403', async () => {
    const e = await failure(sts({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})));
    expect(e).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
  });

  it('refuses a request signed 20 minutes in the past (STS allows 15)', async () => {
    const e = await failure(sts(platform, { systemClockOffset: -20 * 60_000 }).send(new GetCallerIdentityCommand({})));
    expect(e.name).toBe('SignatureDoesNotMatch');
    expect(e.status).toBe(403);
    expect(e.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });

  it('accepts a request signed 10 minutes in the past', async () => {
    await expect(sts(platform, { systemClockOffset: -10 * 60_000 }).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
  });

  it('refuses a deactivated key', async () => {
    emu.admin.updateAccessKey({ cloud: 'aws', accessKeyId: platform.accessKeyId, status: 'Inactive' });
    const e = await failure(sts(platform).send(new GetCallerIdentityCommand({})));
    expect(e).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
  });
});

describe('AWS AssumeRole with an External ID', () => {
  it('issues credentials with the right External ID, and they work for GetCallerIdentity and Invoke', async () => {
    const creds = await assume('Tether', { DurationSeconds: 900 });
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    const me = await sts(creds).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${CUSTOMER}:assumed-role/Tether/tether-test`);
    expect(me.Account).toBe(CUSTOMER);
    expect(me.UserId).toMatch(/^AROA[A-Z0-9]+:tether-test$/);
    const out = await lambda(creds).send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"a":1}') }));
    expect(out.StatusCode).toBe(200);
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ a: 1 });
    const [session] = emu.admin.sessions({ roleArn: roleArn('Tether') });
    expect(session).toMatchObject({ externalId: EXTERNAL_ID, durationSeconds: 900, issuedTo: seed.aws.arn });
    expect(emu.admin.counters().assumeRole[roleArn('Tether')]).toEqual({ ok: 1, denied: 0, error: 0 });
  });

  it('denies a missing External ID with the exact AccessDenied message', async () => {
    const e = await failure(sts(platform).send(new AssumeRoleCommand({ RoleArn: roleArn('Tether'), RoleSessionName: 'tether-test' })));
    expect(e).toMatchObject({ name: 'AccessDenied', status: 403, message: `User: ${seed.aws.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('Tether')}` });
    expect(emu.admin.counters().assumeRole[roleArn('Tether')]).toEqual({ ok: 0, denied: 1, error: 0 });
  });

  it('denies a wrong External ID, and a role that does not exist the same way', async () => {
    expect(await failure(assume('Tether', { ExternalId: 'wrong-id' }))).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await failure(assume('Missing'))).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('lets a trust policy without the condition through, with or without the External ID (what Tether must detect)', async () => {
    await expect(sts(platform).send(new AssumeRoleCommand({ RoleArn: roleArn('Open'), RoleSessionName: 'probe' }))).resolves.toBeDefined();
    await expect(assume('Open')).resolves.toBeDefined();
  });

  it('accepts either External ID of a list-valued condition', async () => {
    emu.admin.putTrustPolicy({ cloud: 'aws', roleArn: roleArn('Tether'), trustPolicy: trustPolicy({ StringEquals: { 'sts:ExternalId': ['old-id-1', EXTERNAL_ID] } }) });
    await expect(assume('Tether')).resolves.toBeDefined();
    await expect(assume('Tether', { ExternalId: 'old-id-1' })).resolves.toBeDefined();
    expect(await failure(assume('Tether', { ExternalId: 'other-id' }))).toMatchObject({ name: 'AccessDenied' });
  });

  it('needs the caller identity policy too when crossing accounts', async () => {
    const bare = emu.admin.createUser({ cloud: 'aws', account: seed.aws.account, name: 'no-perms' });
    const e = await failure(assume('Tether', {}, { accessKeyId: bare.accessKeyId, secretAccessKey: bare.secret }));
    expect(e).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('validates parameters with ValidationError', async () => {
    expect(await failure(assume('Tether', { DurationSeconds: 100 }))).toMatchObject({ name: 'ValidationError', status: 400 });
    const e = await failure(sts(platform).send(new AssumeRoleCommand({ RoleArn: roleArn('Tether'), RoleSessionName: 'bad name!', ExternalId: EXTERNAL_ID })));
    expect(e.message).toContain("at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern");
    expect(await failure(assume('Open', { DurationSeconds: 7200 }))).toMatchObject({ name: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' });
  });

  it('caps role chaining at one hour with the exact AWS message', async () => {
    emu.admin.putPermissionPolicies({ cloud: 'aws', roleArn: roleArn('Open'), permissionPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }] });
    emu.admin.putTrustPolicy({ cloud: 'aws', roleArn: roleArn('Tether'), trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: roleArn('Open') }, Action: 'sts:AssumeRole' }] } });
    const hop = await assume('Open');
    const e = await failure(assume('Tether', { DurationSeconds: 7200 }, hop));
    expect(e).toMatchObject({ name: 'ValidationError', status: 400, message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.' });
    await expect(assume('Tether', { DurationSeconds: 3600 }, hop)).resolves.toBeDefined();
  });

  it('rejects a malformed session policy', async () => {
    // The wire code is MalformedPolicyDocument; the SDK maps it to its modelled exception name.
    expect(await failure(assume('Tether', { Policy: '{not json' }))).toMatchObject({ name: 'MalformedPolicyDocumentException', status: 400 });
  });
});

describe('AWS session credentials', () => {
  it('narrows with a session policy', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:${REGION}:${CUSTOMER}:function:rows` }] });
    const creds = await assume('Tether', { Policy: policy });
    const e = await failure(lambda(creds).send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{}') })));
    expect(e.name).toBe('AccessDeniedException');
    expect(e.status).toBe(403);
    expect(e.message).toContain('because no session policy allows the lambda:InvokeFunction action');
    const ok = await lambda(creds).send(new InvokeCommand({ FunctionName: 'rows', Payload: Buffer.from(JSON.stringify({ data: [[0, 'a', 1]] })) }));
    expect(JSON.parse(Buffer.from(ok.Payload!).toString())).toEqual({ data: [[0, 'A|1']] });
    expect(emu.admin.sessions({ roleArn: roleArn('Tether') })[0]?.sessionPolicy).toBe(policy);
  });

  it('refuses a missing or wrong session token', async () => {
    const creds = await assume('Tether');
    expect(await failure(sts({ ...creds, sessionToken: undefined }).send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
    expect(await failure(lambda({ ...creds, sessionToken: 'forged' }).send(new ListFunctionsCommand({})))).toMatchObject({ name: 'UnrecognizedClientException', status: 403 });
  });

  it('expires credentials when the emulator clock moves past their expiration', async () => {
    const creds = await assume('Tether', { DurationSeconds: 900 });
    await expect(sts(creds).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    emu.admin.advanceClock(901);
    expect(await failure(sts(creds).send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'ExpiredToken' });
    expect(await failure(lambda(creds).send(new InvokeCommand({ FunctionName: 'echo' })))).toMatchObject({ name: 'ExpiredTokenException', status: 403 });
  });

  it('denies sessions issued before a TokenIssueTime cut-off (revocation)', async () => {
    const old = await assume('Tether');
    emu.admin.advanceClock(60);
    const cutoff = emu.admin.clock().now;
    emu.admin.advanceClock(60);
    emu.admin.putPermissionPolicies({
      cloud: 'aws',
      roleArn: roleArn('Tether'),
      permissionPolicies: [invokeAll, { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } } }] }],
    });
    expect(await failure(lambda(old).send(new InvokeCommand({ FunctionName: 'echo' })))).toMatchObject({ name: 'AccessDeniedException' });
    const fresh = await assume('Tether');
    await expect(lambda(fresh).send(new InvokeCommand({ FunctionName: 'echo' }))).resolves.toMatchObject({ StatusCode: 200 });
  });

  it('GetSessionToken and GetFederationToken need long-term keys; a federation token without policy has no permissions', async () => {
    const st = await sts(platform).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const stCreds = { accessKeyId: st.Credentials!.AccessKeyId!, secretAccessKey: st.Credentials!.SecretAccessKey!, sessionToken: st.Credentials!.SessionToken! };
    expect((await sts(stCreds).send(new GetCallerIdentityCommand({}))).Arn).toBe(seed.aws.arn);
    expect(await failure(sts(stCreds).send(new GetSessionTokenCommand({})))).toMatchObject({ name: 'AccessDenied' });

    const user = emu.admin.createUser({ cloud: 'aws', account: CUSTOMER, name: 'fed', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:GetFederationToken', 'lambda:*'], Resource: '*' }] }] });
    const userCreds = { accessKeyId: user.accessKeyId, secretAccessKey: user.secret };
    const bare = await sts(userCreds).send(new GetFederationTokenCommand({ Name: 'alice' }));
    expect(bare.FederatedUser?.Arn).toBe(`arn:aws:sts::${CUSTOMER}:federated-user/alice`);
    const bareCreds = { accessKeyId: bare.Credentials!.AccessKeyId!, secretAccessKey: bare.Credentials!.SecretAccessKey!, sessionToken: bare.Credentials!.SessionToken! };
    expect(await failure(lambda(bareCreds).send(new InvokeCommand({ FunctionName: 'echo' })))).toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('AWS Lambda', () => {
  it('returns function errors as 200 with X-Amz-Function-Error and a log tail', async () => {
    const creds = await assume('Tether');
    const out = await lambda(creds).send(new InvokeCommand({ FunctionName: 'boom', Payload: Buffer.from('{}'), LogType: 'Tail' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ errorType: 'ValueError', errorMessage: 'bad input' });
    expect(Buffer.from(out.LogResult!, 'base64').toString()).toMatch(/^START RequestId: .*\nREPORT RequestId/s);
  });

  it('handles qualifiers, async and dry runs', async () => {
    const creds = await assume('Tether');
    const c = lambda(creds);
    expect((await c.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'prod' }))).ExecutedVersion).toBe('1');
    expect((await c.send(new InvokeCommand({ FunctionName: `arn:aws:lambda:${REGION}:${CUSTOMER}:function:echo:1` }))).ExecutedVersion).toBe('1');
    expect(await failure(c.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'nope' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect((await c.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event' }))).StatusCode).toBe(202);
    expect((await c.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }))).StatusCode).toBe(204);
    expect(emu.admin.counters().invocations[`aws:${CUSTOMER}:${REGION}:echo`]).toBe(3);
  });

  it('checks the qualified ARN: an unqualified grant does not cover aliases', async () => {
    emu.admin.putPermissionPolicies({ cloud: 'aws', roleArn: roleArn('Tether'), permissionPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:${REGION}:${CUSTOMER}:function:echo` }] }] });
    const c = lambda(await assume('Tether'));
    await expect(c.send(new InvokeCommand({ FunctionName: 'echo' }))).resolves.toMatchObject({ StatusCode: 200 });
    expect(await failure(c.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'prod' })))).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('refuses payloads over 6 MB sync / 1 MB async with RequestTooLargeException 413', async () => {
    const c = lambda(await assume('Tether'));
    const big = Buffer.from(JSON.stringify({ s: 'x'.repeat(6 * 1024 * 1024) }));
    expect(await failure(c.send(new InvokeCommand({ FunctionName: 'echo', Payload: big })))).toMatchObject({ name: 'RequestTooLargeException', status: 413 });
    const mid = Buffer.from(JSON.stringify({ s: 'x'.repeat(1024 * 1024) }));
    expect(await failure(c.send(new InvokeCommand({ FunctionName: 'echo', Payload: mid, InvocationType: 'Event' })))).toMatchObject({ name: 'RequestTooLargeException', status: 413 });
  });

  it('throttles the first N invocations with TooManyRequestsException 429 and Retry-After', async () => {
    emu.admin.createFunction({ cloud: 'aws', account: CUSTOMER, region: REGION, name: 'busy', throttleFirst: 2 });
    const c = lambda(await assume('Tether'));
    const e = await failure(c.send(new InvokeCommand({ FunctionName: 'busy' })));
    expect(e).toMatchObject({ name: 'TooManyRequestsException', status: 429 });
    // The SDK retries throttling on its own: the second attempt is throttled once more, the third runs.
    const retrying = new LambdaClient({ region: REGION, endpoint: emu.url, credentials: await assume('Tether'), maxAttempts: 3 });
    await expect(retrying.send(new InvokeCommand({ FunctionName: 'busy' }))).resolves.toMatchObject({ StatusCode: 200 });
  });

  it('runs sleep functions after their latency, then echoes', async () => {
    emu.admin.createFunction({ cloud: 'aws', account: CUSTOMER, region: REGION, name: 'slow', behaviour: { type: 'sleep', latencyMs: 150 } });
    const started = Date.now();
    const out = await lambda(await assume('Tether')).send(new InvokeCommand({ FunctionName: 'slow', Payload: Buffer.from('{"z":true}') }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ z: true });
  });

  it('refuses a rows event that is not in the row protocol', async () => {
    const e = await failure(lambda(await assume('Tether')).send(new InvokeCommand({ FunctionName: 'rows', Payload: Buffer.from('{"rows":[]}') })));
    expect(e).toMatchObject({ name: 'InvalidRequestContentException', status: 400 });
  });

  it('GetFunction and ListFunctions', async () => {
    const c = lambda(await assume('Tether'));
    const fn = await c.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(fn.Configuration?.FunctionArn).toBe(`arn:aws:lambda:${REGION}:${CUSTOMER}:function:echo`);
    const list = await c.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName)).toEqual(['boom', 'echo', 'rows']);
  });

  it('injects faults and counts them', async () => {
    emu.admin.addFault({ cloud: 'aws', service: 'sts', action: 'AssumeRole', code: 'Throttling', status: 400, message: 'Rate exceeded', times: 1 });
    expect(await failure(assume('Tether'))).toMatchObject({ name: 'Throttling', status: 400, message: 'Rate exceeded' });
    await expect(assume('Tether')).resolves.toBeDefined();
    emu.admin.addFault({ cloud: 'aws', service: 'lambda', code: 'ServiceException', status: 500, times: 1 });
    const c = lambda(await assume('Tether'));
    expect(await failure(c.send(new InvokeCommand({ FunctionName: 'echo' })))).toMatchObject({ name: 'ServiceException', status: 500 });
    expect(emu.admin.counters().calls['aws:sts:AssumeRole']).toBe(3);
  });

  it('adds fault latency', async () => {
    emu.admin.addFault({ cloud: 'aws', service: 'sts', action: 'GetCallerIdentity', latencyMs: 200, times: 1 });
    const started = Date.now();
    await sts(platform).send(new GetCallerIdentityCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});
