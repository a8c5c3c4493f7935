import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type PlatformSeed, startEmulator } from '../../../test/emulators';
import type { CloudCredentials, InvokeCall, IssuedCredentials } from '../cloud-function-provider';
import { PlatformIdentity } from '../platform-identity';
import { ProviderError } from '../provider-error';
import { captureLogger, closedPort, customerPolicies, keysOf, secretsOf } from '../testing/cloud-fixtures';
import { AliyunFunctionProvider } from './aliyun-provider';

const CUSTOMER = '2222222222222222';
const REGION = 'cn-hangzhou';
const SERVICE = 'udf';
const EXTERNAL_ID = 'tether-ali-0123456789abcdefghjkmnpq';
const ROLE = `acs:ram::${CUSTOMER}:role/tether`;
const BARE_ROLE = `acs:ram::${CUSTOMER}:role/bare`;

let emu: Emulator;
let seed: PlatformSeed;
let platform: CloudCredentials;
let aliyun: AliyunFunctionProvider;

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the call to fail');
}

function assume(extra: { externalId?: string | null; roleArn?: string; durationSeconds?: number; sessionPolicy?: object } = {}, provider = aliyun): Promise<IssuedCredentials> {
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

const call = (functionName: string, extra: Partial<InvokeCall> = {}): InvokeCall => ({
  region: REGION,
  functionName,
  namespace: SERVICE,
  payload: Buffer.from('{"hello":"world"}'),
  mode: 'sync',
  logs: true,
  timeoutMs: 10_000,
  ...extra,
});

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  platform = keysOf(seed.aliyun);
  aliyun = new AliyunFunctionProvider({ endpoint: emu.url });
  emu.admin.createAccount({ cloud: 'aliyun', id: CUSTOMER });
  const { trustPolicy, permissionPolicy } = customerPolicies({ provider: 'aliyun', region: REGION, accountId: CUSTOMER, roleName: 'tether', principal: seed.aliyun.principal, externalId: EXTERNAL_ID, namespace: SERVICE });
  emu.admin.createRole({ cloud: 'aliyun', account: CUSTOMER, name: 'tether', trustPolicy, permissionPolicies: [permissionPolicy] });
  emu.admin.createRole({ cloud: 'aliyun', account: CUSTOMER, name: 'bare', trustPolicy, permissionPolicies: [] });
  emu.admin.createFunction({ cloud: 'aliyun', account: CUSTOMER, region: REGION, service: SERVICE, name: 'echo' });
  emu.admin.createFunction({ cloud: 'aliyun', account: CUSTOMER, region: REGION, service: SERVICE, name: 'boom', behaviour: { type: 'error', errorType: 'TypeError', errorMessage: 'oops' } });
  emu.admin.createFunction({ cloud: 'aliyun', account: CUSTOMER, region: REGION, service: SERVICE, name: 'slow', behaviour: { type: 'sleep', latencyMs: 3000 } });
});

describe('Aliyun assumeRole', () => {
  it('assumes the role with the External ID; the credentials work for the caller identity and invocations', async () => {
    const creds = await assume({ sessionPolicy: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'fc:*', Resource: '*' }] } });
    expect(creds.accessKeyId).toMatch(/^STS\./);
    expect(creds.assumedRoleArn).toBe(`acs:ram::${CUSTOMER}:role/tether/tether-test`);
    expect(creds.expiration.getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect(emu.admin.assumeRoleAttempts({ roleArn: ROLE })).toMatchObject([{ outcome: 'ok', externalId: EXTERNAL_ID, durationSeconds: 900 }]);
    expect(JSON.parse(emu.admin.sessions({ cloud: 'aliyun' })[0]!.sessionPolicy as string)).toMatchObject({ Version: '1' });

    const me = await aliyun.callerIdentity(REGION, creds);
    expect(me).toMatchObject({ accountId: CUSTOMER, arn: expect.stringContaining(`acs:ram::${CUSTOMER}:assumed-role/tether/tether-test`) });

    const echo = await aliyun.invoke(creds, call('echo'));
    expect(echo.statusCode).toBe(200);
    expect(JSON.parse(echo.payload.toString())).toEqual({ hello: 'world' });
    expect(echo.functionError).toBeUndefined();
    expect(echo.log).toContain('FC Invoke Start RequestId:');
    expect(echo.requestId).toBeTruthy();

    const boom = await aliyun.invoke(creds, call('boom'));
    expect(boom.statusCode).toBe(200);
    expect(boom.functionError).toEqual({ type: 'TypeError', message: 'oops' });

    const queued = await aliyun.invoke(creds, call('echo', { mode: 'async' }));
    expect(queued.statusCode).toBe(202);
  });

  it('is refused (NoPermission) without the External ID or with a wrong one; a missing role is not_found', async () => {
    for (const extra of [{ externalId: null }, { externalId: 'tether-wrong-external-id' }]) {
      const error = await failure(assume(extra));
      expect(error).toMatchObject({ kind: 'access_denied', provider: 'aliyun', operation: 'sts:AssumeRole', cloudCode: 'NoPermission', httpStatus: 403 });
      expect(error.cloudMessage).toContain('You are not authorized');
      expect(error.requestId).toBeTruthy();
    }
    expect(await failure(assume({ roleArn: `acs:ram::${CUSTOMER}:role/missing` }))).toMatchObject({ kind: 'not_found', cloudCode: 'EntityNotExist.Role', httpStatus: 404 });
  });

  it('maps unknown keys to invalid_credentials and expired sessions to expired_credentials', async () => {
    expect(await failure(aliyun.callerIdentity(REGION, keysOf({ accessKeyId: 'LTAIunknownKey000000001', secret: 'y'.repeat(30) })))).toMatchObject({ kind: 'invalid_credentials', cloudCode: 'InvalidAccessKeyId.NotFound' });
    const creds = await assume();
    emu.admin.advanceClock(901);
    expect(await failure(aliyun.callerIdentity(REGION, creds))).toMatchObject({ kind: 'expired_credentials', cloudCode: 'InvalidSecurityToken.Expired' });
    expect(await failure(aliyun.invoke(creds, call('echo')))).toMatchObject({ kind: 'expired_credentials', cloudCode: 'InvalidSecurityToken', operation: 'fc:InvokeFunction' });
  });

  it('maps throttling and server faults, retrying STS once', async () => {
    emu.admin.addFault({ cloud: 'aliyun', service: 'sts', action: 'AssumeRole', code: 'Throttling.User', status: 400, message: 'Request was denied due to user flow control.' });
    expect(await failure(assume())).toMatchObject({ kind: 'throttled', cloudCode: 'Throttling.User', cloudMessage: 'Request was denied due to user flow control.' });
    expect(emu.admin.faults()[0]).toMatchObject({ hits: 2 });
    emu.admin.clearFaults();
    emu.admin.addFault({ cloud: 'aliyun', service: 'sts', action: 'AssumeRole', code: 'InternalError', status: 500, times: 1 });
    // One 5xx is absorbed by the single STS retry.
    expect((await assume()).accessKeyId).toMatch(/^STS\./);
    emu.admin.addFault({ cloud: 'aliyun', service: 'sts', action: 'AssumeRole', code: 'ServiceUnavailable', status: 503 });
    expect(await failure(assume())).toMatchObject({ kind: 'unavailable', cloudCode: 'ServiceUnavailable', httpStatus: 503 });
    emu.admin.clearFaults();

    const creds = await assume();
    emu.admin.addFault({ cloud: 'aliyun', service: 'fc', action: 'InvokeFunction', code: 'ResourceThrottled', status: 429 });
    expect(await failure(aliyun.invoke(creds, call('echo')))).toMatchObject({ kind: 'throttled', cloudCode: 'ResourceThrottled', httpStatus: 429 });
    emu.admin.clearFaults();
    emu.admin.addFault({ cloud: 'aliyun', service: 'fc', action: 'InvokeFunction', code: 'InternalServerError', status: 500, times: 1 });
    expect(await failure(aliyun.invoke(creds, call('echo')))).toMatchObject({ kind: 'unavailable', cloudCode: 'InternalServerError', httpStatus: 500 });
  });

  it('keeps the cloud code when an invocation is not allowed; tells missing functions and services apart', async () => {
    const bare = await assume({ roleArn: BARE_ROLE });
    const denied = await failure(aliyun.invoke(bare, call('echo')));
    expect(denied).toMatchObject({ kind: 'access_denied', cloudCode: 'AccessDenied', httpStatus: 403 });
    expect(denied.cloudMessage).toContain('fc:InvokeFunction');

    const creds = await assume();
    expect(await failure(aliyun.invoke(creds, call('nope')))).toMatchObject({ kind: 'not_found', cloudCode: 'FunctionNotFound' });
    expect(await failure(aliyun.invoke(creds, call('echo', { namespace: undefined })))).toMatchObject({ kind: 'invalid_request' });
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(128 * 1024) }));
    expect(await failure(aliyun.invoke(creds, call('echo', { mode: 'async', payload: big })))).toMatchObject({ kind: 'payload_too_large' });
  });

  it('enforces the per-call timeout', async () => {
    const creds = await assume();
    const started = Date.now();
    expect(await failure(aliyun.invoke(creds, call('slow', { timeoutMs: 300 })))).toMatchObject({ kind: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('reports a closed port as unavailable', async () => {
    const dead = new AliyunFunctionProvider({ endpoint: `http://127.0.0.1:${await closedPort()}` });
    const error = await failure(dead.callerIdentity(REGION, platform));
    expect(error).toMatchObject({ kind: 'unavailable', provider: 'aliyun' });
    expect(error.httpStatus).toBeUndefined();
    expect(await failure(dead.invoke({ ...platform, assumedRoleArn: ROLE, expiration: new Date() } as IssuedCredentials, call('echo')))).toMatchObject({ kind: 'unavailable' });
  });
});

describe('Aliyun probes and unsupported calls', () => {
  it('lists the service functions with the rendered permission policy, and is refused without it', async () => {
    const creds = await assume();
    const listed = await aliyun.probeFunctions(REGION, creds, SERVICE);
    expect(listed).toMatchObject({ ok: true });
    expect(listed.detail).toContain('boom');
    expect(await aliyun.probeFunctions(REGION, creds, 'other')).toMatchObject({ ok: false, error: { kind: 'access_denied' } });
    const bare = await assume({ roleArn: BARE_ROLE });
    expect(await aliyun.probeFunctions(REGION, bare, SERVICE)).toMatchObject({ ok: false, error: { kind: 'access_denied', cloudCode: 'AccessDenied', httpStatus: 403 } });
  });

  it('says session credentials are not supported', async () => {
    expect(await failure(aliyun.sessionCredentials(platform, { region: REGION, durationSeconds: 900, name: 'x' }))).toMatchObject({ kind: 'unsupported' });
  });
});

describe('Aliyun ambient identity and logging', () => {
  it('uses ALIBABA_CLOUD_* for the ambient caller, and says which variables are missing', async () => {
    const identity = new PlatformIdentity({ ALIBABA_CLOUD_ACCESS_KEY_ID: seed.aliyun.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: seed.aliyun.secret });
    const ambient = new AliyunFunctionProvider({ endpoint: emu.url, platform: identity });
    expect((await ambient.callerIdentity(REGION, 'ambient')).arn).toBe(seed.aliyun.arn);
    const creds = await ambient.assumeRole({ region: REGION, roleArn: ROLE, externalId: EXTERNAL_ID, sessionName: 'ambient', durationSeconds: 900, caller: 'ambient' });
    expect(creds.accessKeyId).toMatch(/^STS\./);

    const none = new AliyunFunctionProvider({ endpoint: emu.url, platform: new PlatformIdentity({}) });
    const error = await failure(none.callerIdentity(REGION, 'ambient'));
    expect(error.kind).toBe('invalid_credentials');
    expect(error.message).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
  });

  it('logs one line per call and never a secret', async () => {
    const { logger, lines } = captureLogger();
    const logged = new AliyunFunctionProvider({ endpoint: emu.url, logger });
    const creds = await logged.assumeRole({ region: REGION, roleArn: ROLE, externalId: EXTERNAL_ID, sessionName: 'log-test', durationSeconds: 900, caller: platform });
    await logged.invoke(creds, call('echo'));
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toMatchObject([
      { provider: 'aliyun', operation: 'sts:AssumeRole', outcome: 'ok', requestId: expect.any(String) },
      { provider: 'aliyun', operation: 'fc:InvokeFunction', outcome: 'ok', requestId: expect.any(String) },
    ]);
    for (const secret of [...secretsOf(creds), seed.aliyun.secret]) expect(lines.join('\n')).not.toContain(secret);
  });
});
