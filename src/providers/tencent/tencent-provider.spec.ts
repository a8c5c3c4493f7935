import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type PlatformSeed, startEmulator } from '../../../test/emulators';
import type { CloudCredentials, InvokeCall, IssuedCredentials } from '../cloud-function-provider';
import { PlatformIdentity } from '../platform-identity';
import { ProviderError } from '../provider-error';
import { captureLogger, closedPort, customerPolicies, keysOf, secretsOf } from '../testing/cloud-fixtures';
import { TencentFunctionProvider, tencentFederationName } from './tencent-provider';

const CUSTOMER = '200000000002';
const REGION = 'ap-guangzhou';
const NAMESPACE = 'udf';
const EXTERNAL_ID = 'tether-tc-0123456789abcdefghjkmnpq';
const ROLE = `qcs::cam::uin/${CUSTOMER}:roleName/tether`;
const BARE_ROLE = `qcs::cam::uin/${CUSTOMER}:roleName/bare`;

let emu: Emulator;
let seed: PlatformSeed;
let platform: CloudCredentials;
let tencent: TencentFunctionProvider;
let proxyBefore: string | undefined;

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the call to fail');
}

function assume(extra: { externalId?: string | null; roleArn?: string; durationSeconds?: number; sessionPolicy?: object } = {}, provider = tencent): Promise<IssuedCredentials> {
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
  namespace: NAMESPACE,
  payload: Buffer.from('{"hello":"world"}'),
  mode: 'sync',
  logs: true,
  timeoutMs: 10_000,
  ...extra,
});

beforeAll(async () => {
  emu = await startEmulator();
  // A proxy variable that would swallow every request if the SDK used it (it must not).
  proxyBefore = process.env['http_proxy'];
  process.env['http_proxy'] = `http://127.0.0.1:${await closedPort()}`;
});

afterAll(async () => {
  if (proxyBefore === undefined) delete process.env['http_proxy'];
  else process.env['http_proxy'] = proxyBefore;
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  platform = keysOf(seed.tencent);
  tencent = new TencentFunctionProvider({ endpoint: emu.url });
  emu.admin.createAccount({ cloud: 'tencent', id: CUSTOMER });
  const { trustPolicy, permissionPolicy } = customerPolicies({ provider: 'tencent', region: REGION, accountId: CUSTOMER, roleName: 'tether', principal: seed.tencent.principal, externalId: EXTERNAL_ID, namespace: NAMESPACE });
  emu.admin.createRole({ cloud: 'tencent', account: CUSTOMER, name: 'tether', trustPolicy, permissionPolicies: [permissionPolicy] });
  emu.admin.createRole({ cloud: 'tencent', account: CUSTOMER, name: 'bare', trustPolicy, permissionPolicies: [] });
  emu.admin.createFunction({ cloud: 'tencent', account: CUSTOMER, region: REGION, namespace: NAMESPACE, name: 'echo' });
  emu.admin.createFunction({ cloud: 'tencent', account: CUSTOMER, region: REGION, namespace: NAMESPACE, name: 'boom', behaviour: { type: 'error', errorType: 'RuntimeError', errorMessage: 'kaput' } });
  emu.admin.createFunction({ cloud: 'tencent', account: CUSTOMER, region: REGION, namespace: NAMESPACE, name: 'slow', behaviour: { type: 'sleep', latencyMs: 3000 } });
});

describe('Tencent assumeRole', () => {
  it('assumes the role with the External ID; the credentials work for the caller identity and invocations', async () => {
    const policy = { version: '2.0', statement: [{ effect: 'allow', action: ['name/scf:InvokeFunction'], resource: ['*'] }] };
    const creds = await assume({ sessionPolicy: policy });
    expect(creds.accessKeyId).toMatch(/^AKID/);
    expect(creds.expiration.getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect(emu.admin.assumeRoleAttempts({ roleArn: ROLE })).toMatchObject([{ outcome: 'ok', externalId: EXTERNAL_ID, durationSeconds: 900 }]);
    expect(JSON.parse(emu.admin.sessions({ cloud: 'tencent' })[0]!.sessionPolicy as string)).toEqual(policy);

    const me = await tencent.callerIdentity(REGION, creds);
    expect(me).toMatchObject({ accountId: CUSTOMER, userId: expect.stringMatching(/:tether-test$/) });

    const echo = await tencent.invoke(creds, call('echo'));
    expect(echo.statusCode).toBe(200);
    expect(JSON.parse(echo.payload.toString())).toEqual({ hello: 'world' });
    expect(echo.functionError).toBeUndefined();
    expect(echo.log).toContain('START RequestId:');
    expect(echo.requestId).toBeTruthy();

    const boom = await tencent.invoke(creds, call('boom'));
    expect(boom.functionError).toEqual({ type: 'RuntimeError', message: 'kaput' });

    const queued = await tencent.invoke(creds, call('echo', { mode: 'async' }));
    expect(queued).toMatchObject({ statusCode: 202 });
  });

  it('is refused without the External ID or with a wrong one; a missing role is not_found', async () => {
    for (const extra of [{ externalId: null }, { externalId: 'tether-wrong-external-id' }]) {
      const error = await failure(assume(extra));
      expect(error).toMatchObject({ kind: 'access_denied', provider: 'tencent', operation: 'sts:AssumeRole', cloudCode: 'UnauthorizedOperation' });
      expect(error.cloudMessage).toContain('sts:AssumeRole');
      expect(error.requestId).toBeTruthy();
    }
    expect(await failure(assume({ roleArn: `qcs::cam::uin/${CUSTOMER}:roleName/missing` }))).toMatchObject({ kind: 'not_found', cloudCode: 'ResourceNotFound.RoleNotFound' });
  });

  it('maps unknown keys to invalid_credentials and expired sessions to expired_credentials', async () => {
    expect(await failure(tencent.callerIdentity(REGION, keysOf({ accessKeyId: 'AKIDunknown000000000000000000000001', secret: 'z'.repeat(32) })))).toMatchObject({ kind: 'invalid_credentials', cloudCode: 'AuthFailure.SecretIdNotFound' });
    const creds = await assume();
    emu.admin.advanceClock(901);
    expect(await failure(tencent.callerIdentity(REGION, creds))).toMatchObject({ kind: 'expired_credentials', cloudCode: 'AuthFailure.TokenFailure' });
    expect(await failure(tencent.invoke(creds, call('echo')))).toMatchObject({ kind: 'expired_credentials', operation: 'scf:Invoke' });
  });

  it('maps throttling and server faults, retrying STS once', async () => {
    emu.admin.addFault({ cloud: 'tencent', service: 'sts', action: 'AssumeRole', code: 'RequestLimitExceeded' });
    expect(await failure(assume())).toMatchObject({ kind: 'throttled', cloudCode: 'RequestLimitExceeded' });
    expect(emu.admin.faults()[0]).toMatchObject({ hits: 2 });
    emu.admin.clearFaults();
    emu.admin.addFault({ cloud: 'tencent', service: 'sts', action: 'AssumeRole', code: 'InternalError', message: 'internal error' });
    expect(await failure(assume())).toMatchObject({ kind: 'unavailable', cloudCode: 'InternalError' });
    emu.admin.clearFaults();

    const creds = await assume();
    emu.admin.addFault({ cloud: 'tencent', service: 'scf', action: 'Invoke', code: 'RequestLimitExceeded' });
    expect(await failure(tencent.invoke(creds, call('echo')))).toMatchObject({ kind: 'throttled', cloudCode: 'RequestLimitExceeded' });
    emu.admin.clearFaults();
    emu.admin.addFault({ cloud: 'tencent', service: 'scf', action: 'Invoke', code: 'InternalError.System', times: 1 });
    expect(await failure(tencent.invoke(creds, call('echo')))).toMatchObject({ kind: 'unavailable', cloudCode: 'InternalError.System' });
  });

  it('keeps the cloud code when an invocation is not allowed; tells missing functions and oversized payloads apart', async () => {
    const bare = await assume({ roleArn: BARE_ROLE });
    const denied = await failure(tencent.invoke(bare, call('echo')));
    expect(denied).toMatchObject({ kind: 'access_denied', cloudCode: 'UnauthorizedOperation.CAM' });
    expect(denied.cloudMessage).toContain('scf:InvokeFunction');

    const creds = await assume();
    expect(await failure(tencent.invoke(creds, call('nope')))).toMatchObject({ kind: 'not_found', cloudCode: 'ResourceNotFound.Function' });
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(128 * 1024) }));
    expect(await failure(tencent.invoke(creds, call('echo', { mode: 'async', payload: big })))).toMatchObject({ kind: 'payload_too_large' });
  });

  it('enforces the per-call timeout', async () => {
    const creds = await assume();
    const started = Date.now();
    expect(await failure(tencent.invoke(creds, call('slow', { timeoutMs: 300 })))).toMatchObject({ kind: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('reports a closed port as unavailable', async () => {
    const dead = new TencentFunctionProvider({ endpoint: `http://127.0.0.1:${await closedPort()}` });
    const error = await failure(dead.callerIdentity(REGION, platform));
    expect(error).toMatchObject({ kind: 'unavailable', provider: 'tencent' });
    expect(error.cloudMessage).toMatch(/ECONNREFUSED/);
    expect(await failure(dead.invoke(platform, call('echo')))).toMatchObject({ kind: 'unavailable' });
    dead.close();
  });
});

describe('Tencent probes and session credentials', () => {
  it('lists the namespace functions with the rendered permission policy, and is refused without it', async () => {
    const creds = await assume();
    const listed = await tencent.probeFunctions(REGION, creds, NAMESPACE);
    expect(listed).toMatchObject({ ok: true });
    expect(listed.detail).toContain('3 in total');
    const bare = await assume({ roleArn: BARE_ROLE });
    expect(await tencent.probeFunctions(REGION, bare, NAMESPACE)).toMatchObject({ ok: false, error: { kind: 'access_denied', cloudCode: 'UnauthorizedOperation.CAM' } });
  });

  it('mints federation tokens with a policy, and refuses to without one', async () => {
    const user = emu.admin.createUser({ cloud: 'tencent', account: CUSTOMER, name: 'udf-keys', policies: [{ version: '2.0', statement: [{ effect: 'allow', action: ['name/sts:GetFederationToken', 'name/scf:InvokeFunction'], resource: ['*'] }] }] });
    const keys = keysOf(user);
    expect(await failure(tencent.sessionCredentials(keys, { region: REGION, durationSeconds: 900, name: 'x' }))).toMatchObject({ kind: 'invalid_request' });
    const policy = { version: '2.0', statement: [{ effect: 'allow', action: ['name/scf:InvokeFunction'], resource: [`qcs::scf:${REGION}:uin/${CUSTOMER}:namespace/${NAMESPACE}/function/echo`] }] };
    const federated = await tencent.sessionCredentials(keys, { region: REGION, durationSeconds: 900, name: 'conn udf', sessionPolicy: policy });
    expect((await tencent.invoke(federated, call('echo'))).statusCode).toBe(200);
    expect(await failure(tencent.invoke(federated, call('boom')))).toMatchObject({ kind: 'access_denied' });
    expect(tencentFederationName('conn udf')).toBe('conn-udf');
  });
});

describe('Tencent ambient identity and logging', () => {
  it('uses TENCENTCLOUD_* for the ambient caller', async () => {
    const identity = new PlatformIdentity({ TENCENTCLOUD_SECRET_ID: seed.tencent.accessKeyId, TENCENTCLOUD_SECRET_KEY: seed.tencent.secret });
    const ambient = new TencentFunctionProvider({ endpoint: emu.url, platform: identity });
    expect((await ambient.callerIdentity(REGION, 'ambient')).arn).toBe(seed.tencent.arn);
    expect((await ambient.assumeRole({ region: REGION, roleArn: ROLE, externalId: EXTERNAL_ID, sessionName: 'ambient', durationSeconds: 900, caller: 'ambient' })).accessKeyId).toMatch(/^AKID/);
    ambient.close();
  });

  it('logs one line per call and never a secret', async () => {
    const { logger, lines } = captureLogger();
    const logged = new TencentFunctionProvider({ endpoint: emu.url, logger });
    const creds = await logged.assumeRole({ region: REGION, roleArn: ROLE, externalId: EXTERNAL_ID, sessionName: 'log-test', durationSeconds: 900, caller: platform });
    await logged.invoke(creds, call('echo'));
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toMatchObject([
      { provider: 'tencent', operation: 'sts:AssumeRole', outcome: 'ok', requestId: expect.any(String) },
      { provider: 'tencent', operation: 'scf:Invoke', outcome: 'ok', requestId: expect.any(String) },
    ]);
    for (const secret of [...secretsOf(creds), seed.tencent.secret]) expect(lines.join('\n')).not.toContain(secret);
    logged.close();
  });
});
