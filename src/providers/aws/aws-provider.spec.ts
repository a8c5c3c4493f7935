import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type PlatformSeed, startEmulator } from '../../../test/emulators';
import type { CloudCredentials, IssuedCredentials } from '../cloud-function-provider';
import { PlatformIdentity } from '../platform-identity';
import { ProviderError } from '../provider-error';
import { captureLogger, closedPort, customerPolicies, keysOf, secretsOf } from '../testing/cloud-fixtures';
import { AwsFunctionProvider, federationName } from './aws-provider';

const CUSTOMER = '222222222222';
const REGION = 'us-east-1';
const EXTERNAL_ID = 'tether-aws-0123456789abcdefghjkmnpq';
const BUCKET = 'cz-udf-code';
const ROLE = `arn:aws:iam::${CUSTOMER}:role/tether`;
const BARE_ROLE = `arn:aws:iam::${CUSTOMER}:role/bare`;

let emu: Emulator;
let seed: PlatformSeed;
let platform: CloudCredentials;
let aws: AwsFunctionProvider;

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the call to fail');
}

function assume(extra: { externalId?: string | null; roleArn?: string; durationSeconds?: number; sessionPolicy?: object } = {}, provider = aws): Promise<IssuedCredentials> {
  const externalId = extra.externalId === null ? undefined : (extra.externalId ?? EXTERNAL_ID);
  return provider.assumeRole({
    region: REGION,
    roleArn: extra.roleArn ?? ROLE,
    sessionName: 'tether-test',
    durationSeconds: extra.durationSeconds ?? 900,
    caller: platform,
    ...(externalId !== undefined ? { externalId } : {}),
    ...(extra.sessionPolicy ? { sessionPolicy: extra.sessionPolicy } : {}),
  });
}

const call = (functionName: string, extra: Partial<{ mode: 'sync' | 'async'; timeoutMs: number; payload: Buffer; logs: boolean }> = {}) => ({
  region: REGION,
  functionName,
  payload: extra.payload ?? Buffer.from('{"hello":"world"}'),
  mode: extra.mode ?? ('sync' as const),
  logs: extra.logs ?? true,
  timeoutMs: extra.timeoutMs ?? 10_000,
});

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  aws?.close();
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  platform = keysOf(seed.aws);
  aws?.close();
  aws = new AwsFunctionProvider({ endpoint: emu.url });
  emu.admin.createAccount({ cloud: 'aws', id: CUSTOMER });
  const { trustPolicy, permissionPolicy } = customerPolicies({ provider: 'aws', region: REGION, accountId: CUSTOMER, roleName: 'tether', principal: seed.aws.principal, externalId: EXTERNAL_ID, codeBucket: BUCKET });
  emu.admin.createRole({ cloud: 'aws', account: CUSTOMER, name: 'tether', trustPolicy, permissionPolicies: [permissionPolicy] });
  emu.admin.createRole({ cloud: 'aws', account: CUSTOMER, name: 'bare', trustPolicy, permissionPolicies: [] });
  emu.admin.createFunction({ cloud: 'aws', account: CUSTOMER, region: REGION, name: 'echo' });
  emu.admin.createFunction({ cloud: 'aws', account: CUSTOMER, region: REGION, name: 'boom', behaviour: { type: 'error', errorType: 'TypeError', errorMessage: 'kaput' } });
  emu.admin.createFunction({ cloud: 'aws', account: CUSTOMER, region: REGION, name: 'slow', behaviour: { type: 'sleep', latencyMs: 3000 } });
  emu.admin.createBucket({ account: CUSTOMER, name: BUCKET, region: REGION });
});

describe('AWS assumeRole', () => {
  it('assumes the role with the External ID; the credentials work for the caller identity and invocations', async () => {
    const creds = await assume();
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    expect(creds.expiration.getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect(creds.assumedRoleArn).toBe(`arn:aws:sts::${CUSTOMER}:assumed-role/tether/tether-test`);
    expect(emu.admin.assumeRoleAttempts({ roleArn: ROLE })).toMatchObject([{ outcome: 'ok', externalId: EXTERNAL_ID, sessionName: 'tether-test', durationSeconds: 900 }]);

    const me = await aws.callerIdentity(REGION, creds);
    expect(me).toEqual({ arn: creds.assumedRoleArn, accountId: CUSTOMER, userId: expect.stringMatching(/^AROA.+:tether-test$/) });

    const echo = await aws.invoke(creds, call('echo'));
    expect(echo.statusCode).toBe(200);
    expect(JSON.parse(echo.payload.toString())).toEqual({ hello: 'world' });
    expect(echo.functionError).toBeUndefined();
    expect(echo.log).toContain('START RequestId:');
    expect(echo.requestId).toBeTruthy();

    const boom = await aws.invoke(creds, call('boom'));
    expect(boom.statusCode).toBe(200);
    expect(boom.functionError).toEqual({ type: 'TypeError', message: 'kaput' });

    const queued = await aws.invoke(creds, call('echo', { mode: 'async' }));
    expect(queued.statusCode).toBe(202);
    expect(queued.log).toBeUndefined();
  });

  it('sends the session policy as JSON and only then', async () => {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'lambda:InvokeFunction', Resource: '*' }] };
    const creds = await assume({ sessionPolicy: policy });
    expect(JSON.parse(emu.admin.sessions({ roleArn: ROLE })[0]!.sessionPolicy as string)).toEqual(policy);
    const denied = await failure(aws.invoke(creds, call('echo')));
    expect(denied.kind).toBe('access_denied');
    expect(denied.cloudMessage).toContain('session policy');
  });

  it('is refused without the External ID, with a wrong one, and for a role that does not exist', async () => {
    for (const extra of [{ externalId: null }, { externalId: 'tether-wrong-external-id' }, { roleArn: `arn:aws:iam::${CUSTOMER}:role/missing` }]) {
      const error = await failure(assume(extra));
      expect(error).toMatchObject({ kind: 'access_denied', provider: 'aws', operation: 'sts:AssumeRole', cloudCode: 'AccessDenied', httpStatus: 403 });
      expect(error.cloudMessage).toContain('is not authorized to perform: sts:AssumeRole');
      expect(error.requestId).toBeTruthy();
    }
    expect(emu.admin.assumeRoleAttempts().map((a) => a.externalId)).toEqual([undefined, 'tether-wrong-external-id', EXTERNAL_ID]);
  });

  it('maps unknown keys to invalid_credentials and expired sessions to expired_credentials', async () => {
    const unknown = await failure(aws.callerIdentity(REGION, keysOf({ accessKeyId: 'AKIAUNKNOWNKEY000000', secret: 'x'.repeat(40) })));
    expect(unknown).toMatchObject({ kind: 'invalid_credentials', cloudCode: 'InvalidClientTokenId' });

    const creds = await assume();
    emu.admin.advanceClock(901);
    expect(await failure(aws.callerIdentity(REGION, creds))).toMatchObject({ kind: 'expired_credentials', cloudCode: 'ExpiredToken' });
    expect(await failure(aws.invoke(creds, call('echo')))).toMatchObject({ kind: 'expired_credentials', cloudCode: 'ExpiredTokenException' });
  });

  it('maps throttling and server faults', async () => {
    emu.admin.addFault({ cloud: 'aws', service: 'sts', action: 'AssumeRole', code: 'Throttling', status: 400, message: 'Rate exceeded' });
    expect(await failure(assume())).toMatchObject({ kind: 'throttled', cloudCode: 'Throttling', cloudMessage: 'Rate exceeded' });
    emu.admin.clearFaults();
    emu.admin.addFault({ cloud: 'aws', service: 'sts', action: 'AssumeRole', code: 'InternalFailure', status: 500, message: 'boom' });
    expect(await failure(assume())).toMatchObject({ kind: 'unavailable', cloudCode: 'InternalFailure', httpStatus: 500 });
    emu.admin.clearFaults();

    const creds = await assume();
    emu.admin.addFault({ cloud: 'aws', service: 'lambda', action: 'Invoke', code: 'TooManyRequestsException', status: 429 });
    expect(await failure(aws.invoke(creds, call('echo')))).toMatchObject({ kind: 'throttled', cloudCode: 'TooManyRequestsException', retryAfterSeconds: 1, httpStatus: 429 });
    emu.admin.clearFaults();
    emu.admin.addFault({ cloud: 'aws', service: 'lambda', action: 'Invoke', code: 'ServiceException', status: 500, times: 1 });
    expect(await failure(aws.invoke(creds, call('echo')))).toMatchObject({ kind: 'unavailable', cloudCode: 'ServiceException' });
    // Invocations are not retried by the SDK: exactly one call reached Lambda for the faulted invoke.
    expect(emu.admin.faults()[0]).toMatchObject({ hits: 1 });
  });

  it('keeps the cloud code when an invocation is not allowed, and tells missing functions and oversized payloads apart', async () => {
    const bare = await assume({ roleArn: BARE_ROLE });
    const denied = await failure(aws.invoke(bare, call('echo')));
    expect(denied).toMatchObject({ kind: 'access_denied', cloudCode: 'AccessDeniedException', httpStatus: 403, operation: 'lambda:Invoke' });
    expect(denied.cloudMessage).toContain('lambda:InvokeFunction');

    const creds = await assume();
    expect(await failure(aws.invoke(creds, call('nope')))).toMatchObject({ kind: 'not_found', cloudCode: 'ResourceNotFoundException' });
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }));
    expect(await failure(aws.invoke(creds, call('echo', { mode: 'async', payload: big })))).toMatchObject({ kind: 'payload_too_large', cloudCode: 'RequestTooLargeException' });
  });

  it('enforces the per-call timeout', async () => {
    const creds = await assume();
    const started = Date.now();
    const error = await failure(aws.invoke(creds, call('slow', { timeoutMs: 300 })));
    expect(error.kind).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('reports a closed port as unavailable', async () => {
    const dead = new AwsFunctionProvider({ endpoint: `http://127.0.0.1:${await closedPort()}` });
    const error = await failure(dead.callerIdentity(REGION, platform));
    expect(error).toMatchObject({ kind: 'unavailable', provider: 'aws' });
    expect(error.httpStatus).toBeUndefined();
    const invoke = await failure(dead.invoke(platform, call('echo')));
    expect(invoke.kind).toBe('unavailable');
    dead.close();
  });
});

describe('AWS probes', () => {
  it('lists functions and the code bucket with the rendered permission policy, and is refused without it', async () => {
    const creds = await assume();
    const bucket = await aws.probeBucket(REGION, creds, BUCKET);
    expect(bucket).toMatchObject({ ok: true });
    expect(bucket.detail).toContain(BUCKET);
    const missing = await aws.probeBucket(REGION, creds, 'no-such-bucket');
    expect(missing).toMatchObject({ ok: false, error: { kind: 'not_found', cloudCode: 'NoSuchBucket' } });

    const bare = await assume({ roleArn: BARE_ROLE });
    expect(await aws.probeBucket(REGION, bare, BUCKET)).toMatchObject({ ok: false, error: { kind: 'access_denied', cloudCode: 'AccessDenied', httpStatus: 403 } });
    expect(await aws.probeFunctions(REGION, bare, undefined)).toMatchObject({ ok: false, error: { kind: 'access_denied', cloudCode: 'AccessDeniedException' } });
  });

  it('lists functions in the region when ListFunctions is allowed', async () => {
    // The rendered policy allows ListFunctions only under aws:RequestedRegion, which the emulator does
    // not put in the request context (reported); this role allows it unconditionally.
    const { trustPolicy } = customerPolicies({ provider: 'aws', region: REGION, accountId: CUSTOMER, roleName: 'lister', principal: seed.aws.principal, externalId: EXTERNAL_ID });
    emu.admin.createRole({ cloud: 'aws', account: CUSTOMER, name: 'lister', trustPolicy, permissionPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:ListFunctions', Resource: '*' }] }] });
    const creds = await assume({ roleArn: `arn:aws:iam::${CUSTOMER}:role/lister` });
    const listed = await aws.probeFunctions(REGION, creds, undefined);
    expect(listed).toMatchObject({ ok: true });
    expect(listed.detail).toContain('boom');
  });
});

describe('AWS sessionCredentials', () => {
  it('mints a session token, or a federation token carrying the session policy', async () => {
    const session = await aws.sessionCredentials(platform, { region: REGION, durationSeconds: 900, name: 'ignored' });
    expect((await aws.callerIdentity(REGION, session)).arn).toBe(seed.aws.arn);

    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }] };
    // An access_key connection's IAM user, allowed to mint federation tokens.
    const user = emu.admin.createUser({ cloud: 'aws', account: CUSTOMER, name: 'udf-keys', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:GetFederationToken', 'lambda:InvokeFunction'], Resource: '*' }] }] });
    const federated = await aws.sessionCredentials(keysOf(user), { region: REGION, durationSeconds: 900, name: 'connection udf/noah', sessionPolicy: policy });
    expect(federated.assumedRoleArn).toBe(`arn:aws:sts::${CUSTOMER}:federated-user/connection-udf-noah`);
    // The policy narrows the user's permissions: invoking is no longer allowed.
    expect(await failure(aws.invoke(federated, call('echo')))).toMatchObject({ kind: 'access_denied' });
    const issued = emu.admin.sessions().find((s) => s.kind === 'federated')!;
    expect(JSON.parse(issued.sessionPolicy as string)).toEqual(policy);
  });

  it('refuses session credentials minted from session credentials', async () => {
    const creds = await assume();
    expect(await failure(aws.sessionCredentials(creds, { region: REGION, durationSeconds: 900, name: 'x' }))).toMatchObject({ kind: 'access_denied' });
  });

  it('cuts federation names to the STS limits', () => {
    expect(federationName('a')).toBe('a-');
    expect(federationName('x'.repeat(40))).toHaveLength(32);
    expect(federationName('udf noah/é')).toBe('udf-noah--');
  });
});

describe('AWS ambient identity and logging', () => {
  it('assumes the role as the platform identity from an explicit environment', async () => {
    const identity = new PlatformIdentity({ AWS_ACCESS_KEY_ID: seed.aws.accessKeyId, AWS_SECRET_ACCESS_KEY: seed.aws.secret });
    const ambient = new AwsFunctionProvider({ endpoint: emu.url, platform: identity });
    expect((await ambient.callerIdentity(REGION, 'ambient')).arn).toBe(seed.aws.arn);
    const creds = await ambient.assumeRole({ region: REGION, roleArn: ROLE, externalId: EXTERNAL_ID, sessionName: 'ambient', durationSeconds: 900, caller: 'ambient' });
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    ambient.close();
  });

  it('logs one line per call with the request id and never a secret', async () => {
    const { logger, lines } = captureLogger();
    const logged = new AwsFunctionProvider({ endpoint: emu.url, logger });
    const creds = await logged.assumeRole({ region: REGION, roleArn: ROLE, externalId: EXTERNAL_ID, sessionName: 'log-test', durationSeconds: 900, caller: platform });
    await logged.invoke(creds, call('echo'));
    await failure(logged.assumeRole({ region: REGION, roleArn: ROLE, sessionName: 'log-test', durationSeconds: 900, caller: platform }));
    expect(lines).toHaveLength(3);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ provider: 'aws', operation: 'sts:AssumeRole', outcome: 'ok', requestId: expect.any(String), durationMs: expect.any(Number) });
    expect(parsed[1]).toMatchObject({ operation: 'lambda:Invoke', outcome: 'ok' });
    expect(parsed[2]).toMatchObject({ operation: 'sts:AssumeRole', outcome: 'error', kind: 'access_denied', cloudCode: 'AccessDenied' });
    const all = lines.join('\n') + JSON.stringify(creds) + String(creds.secretAccessKey);
    for (const secret of [...secretsOf(creds), seed.aws.secret]) expect(all).not.toContain(secret);
    logged.close();
  });
});
