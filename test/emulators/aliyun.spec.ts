import FC, { GetFunctionHeaders, GetFunctionRequest, InvokeFunctionHeaders, InvokeFunctionRequest, ListFunctionsHeaders, ListFunctionsRequest } from '@alicloud/fc-open20210406';
import { Config as FcConfig } from '@alicloud/openapi-client';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Sts, { AssumeRoleRequest } from '@alicloud/sts20150401';
import { RuntimeOptions } from '@alicloud/tea-util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type PlatformSeed, startEmulator } from './index';

const CUSTOMER = '2222222222222222';
const REGION = 'cn-hangzhou';
const EXTERNAL_ID = 'tether-ali-0123456789abcdef';
const ROLE = `acs:ram::${CUSTOMER}:role/tether`;

interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

let emu: Emulator;
let seed: PlatformSeed;
let platform: Creds;

function sts(creds: Creds, headers?: Record<string, string>): Sts {
  return new Sts(new $OpenApiUtil.Config({ ...creds, endpoint: emu.hostPort, protocol: 'http', regionId: REGION, ...(headers ? { globalParameters: new $OpenApiUtil.GlobalParameters({ headers }) } : {}) }));
}

function fc(creds: Creds): FC {
  return new FC(new FcConfig({ ...creds, endpoint: emu.hostPort, protocol: 'http', regionId: REGION }));
}

/** The SDK error's code (FC errors only carry ErrorCode in `data`) and HTTP status. */
async function failure(promise: Promise<unknown>): Promise<{ code: string | undefined; status: number | undefined; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; statusCode?: number; data?: Record<string, unknown> };
    const data = e.data ?? {};
    const code = (data['Code'] as string | undefined) ?? (data['ErrorCode'] as string | undefined) ?? e.code;
    return { code, status: e.statusCode ?? (data['statusCode'] as number | undefined), data };
  }
  throw new Error('expected the call to fail');
}

async function assume(extra: { externalId?: string | null; durationSeconds?: number; policy?: string } = {}, creds: Creds = platform): Promise<Creds> {
  const externalId = extra.externalId === null ? undefined : extra.externalId ?? EXTERNAL_ID;
  const out = await sts(creds).assumeRole(new AssumeRoleRequest({ roleArn: ROLE, roleSessionName: 'tether-test', externalId, durationSeconds: extra.durationSeconds, policy: extra.policy }));
  const c = out.body!.credentials!;
  return { accessKeyId: c.accessKeyId!, accessKeySecret: c.accessKeySecret!, securityToken: c.securityToken! };
}

function invoke(client: FC, fn: string, event: unknown, headers: { xFcLogType?: string; xFcInvocationType?: string } = {}, qualifier?: string) {
  return client.invokeFunctionWithOptions('udf', fn, new InvokeFunctionRequest({ body: Buffer.from(JSON.stringify(event)), qualifier }), new InvokeFunctionHeaders(headers), new RuntimeOptions({}));
}

const trust = (condition?: Record<string, unknown>): unknown => ({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [seed.aliyun.principal] }, ...(condition ? { Condition: condition } : {}) }] });

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  platform = { accessKeyId: seed.aliyun.accessKeyId, accessKeySecret: seed.aliyun.secret };
  emu.admin.createAccount({ cloud: 'aliyun', id: CUSTOMER });
  emu.admin.createRole({
    cloud: 'aliyun',
    account: CUSTOMER,
    name: 'tether',
    trustPolicy: trust({ StringEquals: { 'sts:ExternalId': EXTERNAL_ID } }),
    permissionPolicies: [{ Version: '1', Statement: [{ Effect: 'Allow', Action: ['fc:InvokeFunction', 'fc:GetFunction', 'fc:ListFunctions'], Resource: `acs:fc:${REGION}:${CUSTOMER}:services/udf/functions/*` }] }],
  });
  emu.admin.createRole({ cloud: 'aliyun', account: CUSTOMER, name: 'open', trustPolicy: trust() });
  emu.admin.createFunction({ cloud: 'aliyun', account: CUSTOMER, region: REGION, service: 'udf', name: 'rows', behaviour: { type: 'rows' } });
  emu.admin.createFunction({ cloud: 'aliyun', account: CUSTOMER, region: REGION, service: 'udf', name: 'boom', behaviour: { type: 'error', errorType: 'TypeError', errorMessage: 'oops' } });
  emu.admin.createFunction({ cloud: 'aliyun', account: CUSTOMER, region: REGION, service: 'udf', name: 'busy', throttleFirst: 1 });
});

describe('Aliyun STS', () => {
  it('accepts a correctly signed request', async () => {
    const me = await sts(platform).getCallerIdentity();
    expect(me.body).toMatchObject({ accountId: seed.aliyun.account, arn: seed.aliyun.arn, identityType: 'RAMUser' });
  });

  it('refuses a wrong secret, an unknown key and a stale date in Aliyun words', async () => {
    expect(await failure(sts({ ...platform, accessKeySecret: 'wrong' }).getCallerIdentity())).toMatchObject({ code: 'SignatureDoesNotMatch', status: 400 });
    expect(await failure(sts({ accessKeyId: 'LTAInotakey', accessKeySecret: 'x' }).getCallerIdentity())).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', status: 404 });
    // The SDK signs whatever x-acs-date it sends: a global header overrides its own timestamp.
    const stale = new Date(Date.now() - 20 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const e = await failure(sts(platform, { 'x-acs-date': stale }).getCallerIdentity());
    expect(e).toMatchObject({ code: 'InvalidTimeStamp.Expired', status: 400 });
    expect(Object.keys(e.data)).toEqual(expect.arrayContaining(['RequestId', 'HostId', 'Code', 'Message', 'Recommend']));
  });

  it('refuses a reused signature nonce', async () => {
    const headers = { 'x-acs-signature-nonce': 'fixed-nonce-1' };
    await expect(sts(platform, headers).getCallerIdentity()).resolves.toBeDefined();
    expect(await failure(sts(platform, headers).getCallerIdentity())).toMatchObject({ code: 'SignatureNonceUsed' });
  });

  it('AssumeRole with the External ID issues STS credentials that work', async () => {
    const creds = await assume({ durationSeconds: 900 });
    expect(creds.accessKeyId).toMatch(/^STS\./);
    const me = await sts(creds).getCallerIdentity();
    expect(me.body).toMatchObject({ accountId: CUSTOMER, identityType: 'AssumedRoleUser', arn: `acs:ram::${CUSTOMER}:assumed-role/tether/tether-test` });
    const out = await invoke(fc(creds), 'rows', { data: [[0, 'x', 2], [1, 'y', null]] });
    expect(out.statusCode).toBe(200);
    expect(JSON.parse(out.body.toString())).toEqual({ data: [[0, 'X|2'], [1, 'Y|NULL']] });
    expect(emu.admin.sessions({ cloud: 'aliyun' })[0]).toMatchObject({ externalId: EXTERNAL_ID, durationSeconds: 900 });
  });

  it('denies a missing or wrong External ID with NoPermission 403', async () => {
    expect(await failure(assume({ externalId: null }))).toMatchObject({ code: 'NoPermission', status: 403 });
    expect(await failure(assume({ externalId: 'wrong-id' }))).toMatchObject({ code: 'NoPermission', status: 403 });
    expect(emu.admin.counters().assumeRole[ROLE]).toEqual({ ok: 0, denied: 2, error: 0 });
  });

  it('lets a trust policy without the condition through', async () => {
    const out = await sts(platform).assumeRole(new AssumeRoleRequest({ roleArn: `acs:ram::${CUSTOMER}:role/open`, roleSessionName: 'probe' }));
    expect(out.body?.credentials?.securityToken).toBeTruthy();
  });

  it('refuses a missing or expired security token', async () => {
    const creds = await assume({ durationSeconds: 900 });
    expect(await failure(sts({ ...creds, securityToken: undefined }).getCallerIdentity())).toMatchObject({ code: 'InvalidSecurityToken.Malformed' });
    emu.admin.advanceClock(900);
    expect(await failure(sts(creds).getCallerIdentity())).toMatchObject({ code: 'InvalidSecurityToken.Expired', status: 400 });
    expect(await failure(invoke(fc(creds), 'rows', { data: [] }))).toMatchObject({ code: 'InvalidSecurityToken', status: 403 });
  });

  it('validates parameters', async () => {
    expect(await failure(assume({ durationSeconds: 100 }))).toMatchObject({ code: 'InvalidParameter.DurationSeconds', status: 400 });
    expect(await failure(assume({ durationSeconds: 7200 }))).toMatchObject({ code: 'InvalidParameter.DurationSeconds' });
    expect(await failure(assume({ policy: '{"Statement": 1' }))).toMatchObject({ code: 'InvalidParameter.PolicyGrammar' });
  });
});

describe('Aliyun FC 2.0', () => {
  it('returns function errors as 200 with x-fc-error-type and a log', async () => {
    const out = await invoke(fc(await assume()), 'boom', {}, { xFcLogType: 'Tail' });
    expect(out.statusCode).toBe(200);
    expect(out.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(out.headers['x-fc-request-id']).toBeTruthy();
    expect(Buffer.from(out.headers['x-fc-log-result']!, 'base64').toString()).toContain('TypeError: oops');
    expect(JSON.parse(out.body.toString())).toMatchObject({ errorType: 'TypeError', errorMessage: 'oops' });
  });

  it('narrows with a session policy and refuses other services', async () => {
    const policy = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'fc:InvokeFunction', Resource: `acs:fc:*:*:services/udf/functions/boom` }] });
    const client = fc(await assume({ policy }));
    expect(await failure(invoke(client, 'rows', { data: [] }))).toMatchObject({ code: 'AccessDenied', status: 403 });
    await expect(invoke(client, 'boom', {})).resolves.toMatchObject({ statusCode: 200 });
  });

  it('throttles, injects faults, reports missing functions, lists and reads', async () => {
    const client = fc(await assume());
    expect(await failure(invoke(client, 'busy', {}))).toMatchObject({ code: 'ResourceThrottled', status: 429 });
    await expect(invoke(client, 'busy', {})).resolves.toMatchObject({ statusCode: 200 });
    expect(await failure(invoke(client, 'nope', {}))).toMatchObject({ code: 'FunctionNotFound', status: 404 });
    emu.admin.addFault({ cloud: 'aliyun', service: 'fc', action: 'InvokeFunction', code: 'ServiceUnavailable', status: 503, times: 1 });
    expect(await failure(invoke(client, 'rows', { data: [] }))).toMatchObject({ code: 'ServiceUnavailable', status: 503 });
    const list = await client.listFunctionsWithOptions('udf', new ListFunctionsRequest({}), new ListFunctionsHeaders({}), new RuntimeOptions({}));
    expect(list.body?.functions?.map((f) => f.functionName)).toEqual(['boom', 'busy', 'rows']);
    const fn = await client.getFunctionWithOptions('udf', 'rows', new GetFunctionRequest({}), new GetFunctionHeaders({}), new RuntimeOptions({}));
    expect(fn.body?.functionName).toBe('rows');
    expect(emu.admin.counters().invocations[`aliyun:${CUSTOMER}:${REGION}:udf/busy`]).toBe(1);
  });

  it('answers async invocations with 202', async () => {
    const out = await invoke(fc(await assume()), 'rows', { data: [[0, 'a']] }, { xFcInvocationType: 'Async' });
    expect(out.statusCode).toBe(202);
  });
});
