import { scf } from 'tencentcloud-sdk-nodejs/tencentcloud/services/scf';
import type { GetFunctionResponse } from 'tencentcloud-sdk-nodejs/tencentcloud/services/scf/v20180416/scf_models';
import { sts } from 'tencentcloud-sdk-nodejs/tencentcloud/services/sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildPackage } from './core/packages';
import { type Emulator, type PlatformSeed, startEmulator } from './index';

const CUSTOMER = '200000000002';
const APPID = '1250000000';
const REGION = 'ap-guangzhou';
const NS = 'udf';
const EXTERNAL_ID = 'tether-tc-0123456789abcdef';
const ROLE = `qcs::cam::uin/${CUSTOMER}:roleName/tether`;
const EXEC_ROLE = `qcs::cam::uin/${CUSTOMER}:roleName/udf-runner`;
const BUCKET = `code-${APPID}`;

for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY']) delete process.env[name];

type ScfClient = InstanceType<typeof scf.v20180416.Client>;

let emu: Emulator;
let seed: PlatformSeed;
let client: ScfClient;

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message?: string };
  }
  throw new Error('expected the call to fail');
}

/** The role Tether assumes, with exactly the deploy grants src/trust-policies/render/tencent.ts renders. */
function deployPolicy(passRole: boolean): unknown {
  return {
    version: '2.0',
    statement: [
      { effect: 'allow', action: ['name/scf:CreateFunction', 'name/scf:DeleteFunction', 'name/scf:GetFunction', 'name/scf:InvokeFunction', 'name/scf:PublishVersion', 'name/scf:UpdateFunctionCode', 'name/scf:UpdateFunctionConfiguration'], resource: [`qcs::scf:${REGION}:uin/${CUSTOMER}:namespace/${NS}/function/*`] },
      { effect: 'allow', action: ['name/scf:ListFunctions'], resource: ['*'] },
      { effect: 'allow', action: ['name/cos:GetBucket', 'name/cos:GetObject', 'name/cos:HeadBucket', 'name/cos:HeadObject', 'name/cos:PutObject'], resource: [`qcs::cos:${REGION}:uid/${APPID}:${BUCKET}/*`] },
      ...(passRole ? [{ effect: 'allow', action: ['name/cam:PassRole'], resource: [EXEC_ROLE] }] : []),
    ],
  };
}

async function assumedClient(): Promise<ScfClient> {
  const stsClient = new sts.v20180813.Client({ credential: { secretId: seed.tencent.accessKeyId, secretKey: seed.tencent.secret }, region: REGION, profile: { httpProfile: { endpoint: emu.hostPort, protocol: 'http://' } } });
  const out = await stsClient.AssumeRole({ RoleArn: ROLE, RoleSessionName: 'scf-test', ExternalId: EXTERNAL_ID, DurationSeconds: 900 });
  const c = out.Credentials!;
  return new scf.v20180416.Client({ credential: { secretId: c.TmpSecretId!, secretKey: c.TmpSecretKey!, token: c.Token! }, region: REGION, profile: { httpProfile: { endpoint: emu.hostPort, protocol: 'http://' } } });
}

function upload(key: string, body: Buffer): void {
  emu.admin.putObject({ cloud: 'tencent', bucket: BUCKET, key, body: body.toString('base64'), base64: true });
}

const get = (name: string): Promise<GetFunctionResponse> => client.GetFunction({ FunctionName: name, Namespace: NS });

/** Polls GetFunction until the function leaves Creating / Updating (the emulator settles in ~300 ms). */
async function settled(name: string): Promise<GetFunctionResponse> {
  for (let i = 0; i < 100; i += 1) {
    const f = await get(name);
    if (f.Status !== 'Creating' && f.Status !== 'Updating') return f;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} never settled`);
}

async function invoke(name: string): Promise<unknown> {
  const out = await client.Invoke({ FunctionName: name, Namespace: NS, ClientContext: '{"x":1}' });
  return JSON.parse(out.Result!.RetMsg!);
}

const create = (name: string, extra: Record<string, unknown> = {}): Promise<unknown> =>
  client.CreateFunction({ FunctionName: name, Namespace: NS, Runtime: 'Python3.9', Handler: 'index.main_handler', MemorySize: 256, Timeout: 10, Code: { CosBucketName: 'code', CosObjectName: '/pkgs/v1.zip', CosBucketRegion: REGION }, ...extra });

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(async () => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  emu.admin.createAccount({ cloud: 'tencent', id: CUSTOMER, appId: APPID });
  const trustPolicy = { version: '2.0', statement: [{ action: 'name/sts:AssumeRole', effect: 'allow', principal: { qcs: [seed.tencent.principal] }, condition: { string_equal: { 'sts:external_id': EXTERNAL_ID } } }] };
  emu.admin.createRole({ cloud: 'tencent', account: CUSTOMER, name: 'tether', trustPolicy, permissionPolicies: [deployPolicy(true)] });
  emu.admin.createRole({ cloud: 'tencent', account: CUSTOMER, name: 'udf-runner', trustPolicy: { version: '2.0', statement: [{ action: 'name/sts:AssumeRole', effect: 'allow', principal: { service: ['scf.qcloud.com'] } }] } });
  emu.admin.createBucket({ cloud: 'tencent', account: CUSTOMER, name: BUCKET, region: REGION });
  upload('pkgs/v1.zip', buildPackage({ type: 'reply', body: { version: 1 } }));
  upload('pkgs/v2.zip', buildPackage({ type: 'reply', body: { version: 2 } }));
  client = await assumedClient();
});

describe('SCF emulator: deployment lifecycle (tencentcloud-sdk-nodejs as the client)', () => {
  it('creates from COS (Creating → Active), runs the package, updates code, publishes, lists and deletes', async () => {
    await create('udf-a', { Role: 'udf-runner', Environment: { Variables: [{ Key: 'MODE', Value: 'fast' }] } });
    const creating = await get('udf-a');
    expect(creating).toMatchObject({ Status: 'Creating', Runtime: 'Python3.9', Handler: 'index.main_handler', MemorySize: 256, Timeout: 10, Role: 'udf-runner', Namespace: NS });
    expect(await failure(invoke('udf-a'))).toMatchObject({ code: 'FailedOperation.FunctionStatusError' });
    const active = await settled('udf-a');
    expect(active).toMatchObject({ Status: 'Active', CodeResult: 'success', Environment: { Variables: [{ Key: 'MODE', Value: 'fast' }] } });
    expect(active.CodeSize).toBe(buildPackage({ type: 'reply', body: { version: 1 } }).length);
    expect(await invoke('udf-a')).toEqual({ version: 1 });

    await client.UpdateFunctionCode({ FunctionName: 'udf-a', Namespace: NS, CosBucketName: 'code', CosObjectName: '/pkgs/v2.zip', CosBucketRegion: REGION });
    expect((await get('udf-a')).Status).toBe('Updating');
    expect(await failure(client.UpdateFunctionConfiguration({ FunctionName: 'udf-a', Namespace: NS, MemorySize: 512 }))).toMatchObject({ code: 'FailedOperation.UpdateFunctionConfiguration' });
    await settled('udf-a');
    expect(await invoke('udf-a')).toEqual({ version: 2 });

    await client.UpdateFunctionConfiguration({ FunctionName: 'udf-a', Namespace: NS, MemorySize: 512, Timeout: 30, Environment: { Variables: [] } });
    expect(await settled('udf-a')).toMatchObject({ MemorySize: 512, Timeout: 30, Environment: { Variables: [] } });

    expect((await client.PublishVersion({ FunctionName: 'udf-a', Namespace: NS })).FunctionVersion).toBe('1');
    expect((await client.PublishVersion({ FunctionName: 'udf-a', Namespace: NS })).FunctionVersion).toBe('2');

    await create('udf-b', { Code: { ZipFile: buildPackage({ type: 'echo' }).toString('base64') } });
    const page1 = await client.ListFunctions({ Namespace: NS, Limit: 1 });
    expect(page1).toMatchObject({ TotalCount: 2, Functions: [{ FunctionName: 'udf-a', Status: 'Active' }] });
    const page2 = await client.ListFunctions({ Namespace: NS, Limit: 1, Offset: 1 });
    expect(page2.Functions!.map((f) => f.FunctionName)).toEqual(['udf-b']);

    await settled('udf-b');
    await client.DeleteFunction({ FunctionName: 'udf-a', Namespace: NS });
    expect(await failure(get('udf-a'))).toMatchObject({ code: 'ResourceNotFound.Function' });
    const calls = emu.admin.counters().calls;
    expect(calls['tencent:scf:CreateFunction']).toBe(2);
    expect(calls['tencent:scf:UpdateFunctionCode']).toBe(1);
  });

  it('refuses a Role the caller may not pass, with UnauthorizedOperation.CAM naming cam:PassRole', async () => {
    emu.admin.putPermissionPolicies({ cloud: 'tencent', roleArn: ROLE, permissionPolicies: [deployPolicy(false)] });
    client = await assumedClient();
    const error = await failure(create('udf-a', { Role: 'udf-runner' }));
    expect(error.code).toBe('UnauthorizedOperation.CAM');
    expect(error.message).toContain('cam:PassRole');
    expect(error.message).toContain(EXEC_ROLE);
    expect(await failure(get('udf-a'))).toMatchObject({ code: 'ResourceNotFound.Function' });
  });

  it('tells a missing package, a bad runtime, handler or memory, and an existing function apart', async () => {
    expect(await failure(create('udf-a', { Code: { CosBucketName: 'code', CosObjectName: '/pkgs/none.zip' } }))).toMatchObject({ code: 'ResourceNotFound.Cos' });
    expect(await failure(create('udf-a', { Code: { CosBucketName: 'code', CosObjectName: 'pkgs/v1.zip' } }))).toMatchObject({ code: 'InvalidParameterValue.CosObjectName' });
    expect(await failure(create('udf-a', { Runtime: 'Cobol85' }))).toMatchObject({ code: 'InvalidParameterValue.Runtime' });
    expect(await failure(create('udf-a', { Handler: 'nohandler' }))).toMatchObject({ code: 'InvalidParameterValue.Handler' });
    expect(await failure(create('udf-a', { MemorySize: 100 }))).toMatchObject({ code: 'InvalidParameterValue.MemorySize' });
    await create('udf-a');
    expect(await failure(create('udf-a'))).toMatchObject({ code: 'ResourceInUse.Function' });
  });

  it('needs cos:GetObject on the package, and fails the creation of a package that is not a zip', async () => {
    emu.admin.createBucket({ cloud: 'tencent', account: CUSTOMER, name: `private-${APPID}`, region: REGION });
    emu.admin.putObject({ cloud: 'tencent', bucket: `private-${APPID}`, key: 'p.zip', body: 'x' });
    const denied = await failure(create('udf-a', { Code: { CosBucketName: 'private', CosObjectName: '/p.zip' } }));
    expect(denied).toMatchObject({ code: 'UnauthorizedOperation.CAM' });
    expect(denied.message).toContain('cos:GetObject');

    upload('pkgs/bad.zip', Buffer.from('not a zip'));
    await create('udf-bad', { Code: { CosBucketName: 'code', CosObjectName: '/pkgs/bad.zip' } });
    expect(await get('udf-bad')).toMatchObject({ Status: 'CreateFailed', CodeResult: 'failed', StatusDesc: expect.stringContaining('not a valid zip') });
  });
});
