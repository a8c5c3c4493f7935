import Sign from 'tencentcloud-sdk-nodejs/tencentcloud/common/sign';
import { scf } from 'tencentcloud-sdk-nodejs/tencentcloud/services/scf';
import { sts } from 'tencentcloud-sdk-nodejs/tencentcloud/services/sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type PlatformSeed, startEmulator } from './index';

const CUSTOMER = '200000000002';
const REGION = 'ap-guangzhou';
const EXTERNAL_ID = 'tether-tc-0123456789abcdef';
const ROLE = `qcs::cam::uin/${CUSTOMER}:roleName/tether`;

interface Creds {
  secretId: string;
  secretKey: string;
  token?: string;
}

let emu: Emulator;
let seed: PlatformSeed;
let platform: Creds;

// The SDK routes through https-proxy-agent whenever http_proxy is set.
for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY']) delete process.env[name];

const profile = (): { httpProfile: { endpoint: string; protocol: string; reqTimeout: number } } => ({ httpProfile: { endpoint: emu.hostPort, protocol: 'http://', reqTimeout: 10 } });
const stsClient = (credential: Creds): InstanceType<typeof sts.v20180813.Client> => new sts.v20180813.Client({ credential, region: REGION, profile: profile() });
const scfClient = (credential: Creds): InstanceType<typeof scf.v20180416.Client> => new scf.v20180416.Client({ credential, region: REGION, profile: profile() });

async function failure(promise: Promise<unknown>): Promise<{ code: string | undefined; httpCode: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; httpCode?: number };
    return { code: e.code, httpCode: e.httpCode };
  }
  throw new Error('expected the call to fail');
}

async function assume(extra: { ExternalId?: string | null; DurationSeconds?: number; Policy?: string } = {}, credential: Creds = platform): Promise<Creds> {
  const ExternalId = extra.ExternalId === null ? undefined : extra.ExternalId ?? EXTERNAL_ID;
  const out = await stsClient(credential).AssumeRole({ RoleArn: ROLE, RoleSessionName: 'tether-test', ...extra, ExternalId });
  return { secretId: out.Credentials!.TmpSecretId!, secretKey: out.Credentials!.TmpSecretKey!, token: out.Credentials!.Token! };
}

/** A request signed by the SDK's own TC3 signer, with a timestamp of our choosing. */
async function signedAt(timestamp: number, credential: Creds, action: string, payload: Record<string, unknown>): Promise<unknown> {
  const url = `http://${emu.hostPort}/`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-TC-Action': action, 'X-TC-Version': '2018-08-13', 'X-TC-Timestamp': String(timestamp), 'X-TC-Region': REGION };
  headers['Authorization'] = Sign.sign3({ method: 'POST', url, payload, timestamp, service: '127', secretId: credential.secretId, secretKey: credential.secretKey, multipart: false, boundary: '', headers });
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(payload) });
  expect(res.status).toBe(200);
  return res.json();
}

const trust = (condition?: Record<string, unknown>): unknown => ({ version: '2.0', statement: [{ action: 'name/sts:AssumeRole', effect: 'allow', principal: { qcs: [seed.tencent.principal] }, ...(condition ? { condition } : {}) }] });

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  platform = { secretId: seed.tencent.accessKeyId, secretKey: seed.tencent.secret };
  emu.admin.createAccount({ cloud: 'tencent', id: CUSTOMER });
  emu.admin.createRole({
    cloud: 'tencent',
    account: CUSTOMER,
    name: 'tether',
    trustPolicy: trust({ string_equal: { 'sts:external_id': EXTERNAL_ID } }),
    permissionPolicies: [{ version: '2.0', statement: [{ effect: 'allow', action: ['name/scf:InvokeFunction', 'name/scf:GetFunction', 'name/scf:ListFunctions'], resource: [`qcs::scf:${REGION}:uin/${CUSTOMER}:namespace/default/function/*`] }] }],
  });
  emu.admin.createRole({ cloud: 'tencent', account: CUSTOMER, name: 'open', trustPolicy: trust() });
  emu.admin.createFunction({ cloud: 'tencent', account: CUSTOMER, region: REGION, name: 'echo' });
  emu.admin.createFunction({ cloud: 'tencent', account: CUSTOMER, region: REGION, name: 'boom', behaviour: { type: 'error', errorType: 'RuntimeError', errorMessage: 'kaput' } });
  emu.admin.createFunction({ cloud: 'tencent', account: CUSTOMER, region: REGION, name: 'busy', throttleFirst: 1 });
});

describe('Tencent STS', () => {
  it('accepts a correctly signed request (scope service is the endpoint label "127")', async () => {
    const me = await stsClient(platform).GetCallerIdentity();
    expect(me).toMatchObject({ AccountId: seed.tencent.account, Arn: seed.tencent.arn, Type: 'CAMUser' });
  });

  it('refuses a wrong secret, an unknown id and a stale timestamp, always with HTTP 200', async () => {
    expect(await failure(stsClient({ ...platform, secretKey: 'wrong' }).GetCallerIdentity())).toMatchObject({ code: 'AuthFailure.SignatureFailure' });
    expect(await failure(stsClient({ secretId: 'AKIDnotakey', secretKey: 'x' }).GetCallerIdentity())).toMatchObject({ code: 'AuthFailure.SecretIdNotFound' });
    const now = Math.floor(Date.now() / 1000);
    expect(await signedAt(now, platform, 'GetCallerIdentity', {})).toMatchObject({ Response: { AccountId: seed.tencent.account } });
    expect(await signedAt(now - 600, platform, 'GetCallerIdentity', {})).toMatchObject({ Response: { Error: { Code: 'AuthFailure.SignatureExpire' } } });
  });

  it('AssumeRole with the External ID issues credentials that work for GetCallerIdentity and Invoke', async () => {
    const creds = await assume({ DurationSeconds: 900 });
    const me = await stsClient(creds).GetCallerIdentity();
    expect(me.AccountId).toBe(CUSTOMER);
    expect(me.UserId).toMatch(/^\d+:tether-test$/);
    const out = await scfClient(creds).Invoke({ FunctionName: 'echo', ClientContext: JSON.stringify({ a: 1 }), LogType: 'Tail' });
    expect(out.Result).toMatchObject({ InvokeResult: 0, ErrMsg: '' });
    expect(JSON.parse(out.Result!.RetMsg!)).toEqual({ a: 1 });
    expect(out.Result!.Log).toContain('START RequestId');
    expect(emu.admin.assumeRoleAttempts({ cloud: 'tencent' })).toEqual([expect.objectContaining({ roleArn: ROLE, externalId: EXTERNAL_ID, outcome: 'ok', durationSeconds: 900 })]);
  });

  it('denies a missing or wrong External ID', async () => {
    expect(await failure(assume({ ExternalId: null }))).toMatchObject({ code: 'UnauthorizedOperation' });
    expect(await failure(assume({ ExternalId: 'wrong-id' }))).toMatchObject({ code: 'UnauthorizedOperation' });
    expect(emu.admin.counters().assumeRole[ROLE]).toEqual({ ok: 0, denied: 2, error: 0 });
  });

  it('lets a trust policy without the condition through', async () => {
    const out = await stsClient(platform).AssumeRole({ RoleArn: `qcs::cam::uin/${CUSTOMER}:roleName/open`, RoleSessionName: 'probe' });
    expect(out.Credentials?.Token).toBeTruthy();
    expect(out.ExpiredTime).toBe(Math.floor(Date.parse(out.Expiration!) / 1000));
  });

  it('refuses a missing, wrong or expired token with AuthFailure.TokenFailure', async () => {
    const creds = await assume({ DurationSeconds: 900 });
    expect(await failure(stsClient({ ...creds, token: undefined }).GetCallerIdentity())).toMatchObject({ code: 'AuthFailure.TokenFailure' });
    expect(await failure(stsClient({ ...creds, token: 'forged' }).GetCallerIdentity())).toMatchObject({ code: 'AuthFailure.TokenFailure' });
    emu.admin.advanceClock(901);
    expect(await failure(scfClient(creds).Invoke({ FunctionName: 'echo' }))).toMatchObject({ code: 'AuthFailure.TokenFailure' });
  });

  it('GetFederationToken issues policy-bound credentials', async () => {
    const policy = encodeURIComponent(JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: ['name/sts:GetCallerIdentity'], resource: ['*'] }] }));
    const user = emu.admin.createUser({ cloud: 'tencent', account: CUSTOMER, name: 'fed', policies: [{ version: '2.0', statement: [{ effect: 'allow', action: ['name/sts:GetFederationToken', 'name/scf:*'], resource: ['*'] }] }] });
    const out = await stsClient({ secretId: user.accessKeyId, secretKey: user.secret }).GetFederationToken({ Name: 'alice', Policy: policy });
    const creds = { secretId: out.Credentials!.TmpSecretId!, secretKey: out.Credentials!.TmpSecretKey!, token: out.Credentials!.Token! };
    expect(await failure(scfClient(creds).Invoke({ FunctionName: 'echo' }))).toMatchObject({ code: 'UnauthorizedOperation.CAM' });
  });
});

describe('Tencent SCF', () => {
  it('reports function errors in ErrMsg with a non-zero InvokeResult', async () => {
    const out = await scfClient(await assume()).Invoke({ FunctionName: 'boom', ClientContext: '{}' });
    expect(out.Result?.InvokeResult).not.toBe(0);
    expect(JSON.parse(out.Result!.ErrMsg!)).toMatchObject({ errorMessage: 'kaput', errorType: 'RuntimeError' });
  });

  it('narrows with a session policy', async () => {
    const policy = encodeURIComponent(JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: ['name/scf:InvokeFunction'], resource: [`qcs::scf:${REGION}:uin/${CUSTOMER}:namespace/default/function/boom`] }] }));
    const client = scfClient(await assume({ Policy: policy }));
    expect(await failure(client.Invoke({ FunctionName: 'echo' }))).toMatchObject({ code: 'UnauthorizedOperation.CAM' });
    await expect(client.Invoke({ FunctionName: 'boom' })).resolves.toBeDefined();
  });

  it('throttles, injects faults, reports missing functions, lists and reads', async () => {
    const client = scfClient(await assume());
    expect(await failure(client.Invoke({ FunctionName: 'busy' }))).toMatchObject({ code: 'RequestLimitExceeded' });
    await expect(client.Invoke({ FunctionName: 'busy' })).resolves.toBeDefined();
    expect(await failure(client.Invoke({ FunctionName: 'nope' }))).toMatchObject({ code: 'ResourceNotFound.Function' });
    emu.admin.addFault({ cloud: 'tencent', service: 'scf', action: 'Invoke', code: 'InternalError', times: 1 });
    expect(await failure(client.Invoke({ FunctionName: 'echo' }))).toMatchObject({ code: 'InternalError' });
    const list = await client.ListFunctions({});
    expect(list.Functions?.map((f) => f.FunctionName)).toEqual(['boom', 'busy', 'echo']);
    expect((await client.GetFunction({ FunctionName: 'echo' })).FunctionName).toBe('echo');
    expect(emu.admin.counters().calls['tencent:scf:Invoke']).toBe(4);
    const async = await client.Invoke({ FunctionName: 'echo', InvocationType: 'Event' });
    expect(async.Result?.FunctionRequestId).toBeTruthy();
  });
});
