import FC, {
  Code,
  CreateFunctionHeaders,
  CreateFunctionRequest,
  CreateServiceHeaders,
  CreateServiceRequest,
  DeleteFunctionHeaders,
  GetServiceHeaders,
  GetServiceRequest,
  InvokeFunctionHeaders,
  InvokeFunctionRequest,
  ListFunctionsHeaders,
  ListFunctionsRequest,
  PublishServiceVersionHeaders,
  PublishServiceVersionRequest,
  UpdateFunctionHeaders,
  UpdateFunctionRequest,
} from '@alicloud/fc-open20210406';
import { Config, OpenApiRequest, Params } from '@alicloud/openapi-client';
import { RuntimeOptions } from '@alicloud/tea-util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { crc64 } from './core/crc64';
import { buildPackage } from './core/packages';
import { type Emulator, startEmulator } from './index';

const CUSTOMER = '2222222222222222';
const REGION = 'cn-hangzhou';
const BUCKET = 'udf-code';
const EXEC_ROLE = `acs:ram::${CUSTOMER}:role/fc-exec`;

let emu: Emulator;
let deployer: FC;
const V1 = buildPackage({ type: 'reply', body: { version: 1 } });
const V2 = buildPackage({ type: 'reply', body: { version: 2 } });

/** The permission policy Tether renders for deploy + invoke in service `udf` with code bucket and execution role. */
function deployPolicy(options: { passRole?: boolean; ossRead?: boolean } = {}): unknown {
  const svc = `acs:fc:${REGION}:${CUSTOMER}:services/udf`;
  return {
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: ['fc:CreateFunction', 'fc:CreateService', 'fc:DeleteFunction', 'fc:GetFunction', 'fc:GetService', 'fc:InvokeFunction', 'fc:ListFunctions', 'fc:PublishServiceVersion', 'fc:UpdateFunction'], Resource: [svc, `${svc}/functions/*`, `acs:fc:${REGION}:${CUSTOMER}:services/udf.*/functions/*`] },
      { Effect: 'Allow', Action: ['oss:ListObjects'], Resource: `acs:oss:*:${CUSTOMER}:${BUCKET}` },
      { Effect: 'Allow', Action: options.ossRead === false ? ['oss:PutObject'] : ['oss:GetObject', 'oss:PutObject'], Resource: `acs:oss:*:${CUSTOMER}:${BUCKET}/*` },
      ...(options.passRole === false ? [] : [{ Effect: 'Allow', Action: ['ram:PassRole'], Resource: EXEC_ROLE, Condition: { StringEquals: { 'acs:Service': 'fc.aliyuncs.com' } } }]),
    ],
  };
}

function client(policy: unknown): FC {
  const keys = emu.admin.createUser({ cloud: 'aliyun', account: CUSTOMER, name: `deployer-${Math.random().toString(36).slice(2, 8)}`, policies: [policy] });
  return new FC(new Config({ accessKeyId: keys.accessKeyId, accessKeySecret: keys.secret, endpoint: emu.hostPort, protocol: 'http', regionId: REGION }));
}

const rt = (): RuntimeOptions => new RuntimeOptions({});

/** GetFunction as JSON: the SDK's typed model drops `state` and `lastUpdateStatus`, so this reads the raw body. */
async function getFunction(c: FC, fn: string, service = 'udf'): Promise<Record<string, unknown>> {
  const params = new Params({ action: 'GetFunction', version: '2021-04-06', protocol: 'HTTPS', pathname: `/2021-04-06/services/${service}/functions/${fn}`, method: 'GET', authType: 'AK', style: 'ROA', reqBodyType: 'json', bodyType: 'json' });
  return (await c.callApi(params, new OpenApiRequest({}), rt())).body as Record<string, unknown>;
}

async function untilSettled(c: FC, fn: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const f = await getFunction(c, fn);
    if (f['state'] !== 'Pending' && f['lastUpdateStatus'] !== 'InProgress') return f;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${fn} never settled`);
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; status?: number; message?: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { statusCode?: number; data?: { ErrorCode?: string; ErrorMessage?: string } };
    return { code: e.data?.ErrorCode, status: e.statusCode, message: e.data?.ErrorMessage };
  }
  throw new Error('expected the call to fail');
}

const createService = (c: FC, role: string | null = EXEC_ROLE) => c.createServiceWithOptions(new CreateServiceRequest({ serviceName: 'udf', ...(role ? { role } : {}) }), new CreateServiceHeaders({}), rt());

function createFunction(c: FC, name: string, extra: Record<string, unknown> = {}) {
  const request = new CreateFunctionRequest({ functionName: name, runtime: 'python3.10', handler: 'index.handler', memorySize: 256, timeout: 30, environmentVariables: { MODE: 'test' }, code: new Code({ ossBucketName: BUCKET, ossObjectName: 'udf/v1.zip' }), ...extra });
  return c.createFunctionWithOptions('udf', request, new CreateFunctionHeaders({}), rt());
}

async function invoke(c: FC, fn: string, qualifier?: string): Promise<unknown> {
  const out = await c.invokeFunctionWithOptions('udf', fn, new InvokeFunctionRequest({ body: Buffer.from('{}'), ...(qualifier ? { qualifier } : {}) }), new InvokeFunctionHeaders({}), rt());
  return JSON.parse(Buffer.from(out.body as Buffer).toString('utf8'));
}

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  emu.admin.createAccount({ cloud: 'aliyun', id: CUSTOMER });
  emu.admin.createRole({ cloud: 'aliyun', account: CUSTOMER, name: 'fc-exec', trustPolicy: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${CUSTOMER}:root`] } }] } });
  emu.admin.createBucket({ cloud: 'aliyun', account: CUSTOMER, name: BUCKET, region: REGION });
  emu.admin.putObject({ cloud: 'aliyun', bucket: BUCKET, key: 'udf/v1.zip', body: V1.toString('base64'), base64: true });
  emu.admin.putObject({ cloud: 'aliyun', bucket: BUCKET, key: 'udf/v2.zip', body: V2.toString('base64'), base64: true });
  emu.admin.putObject({ cloud: 'aliyun', bucket: BUCKET, key: 'udf/notes.txt', body: 'not a zip' });
  deployer = client(deployPolicy());
});

describe('FC 2.0 deployment', () => {
  it('creates a service with its role, a function from an OSS package: Pending, then Active, running the package', async () => {
    const service = await createService(deployer);
    expect(service.body).toMatchObject({ serviceName: 'udf', role: EXEC_ROLE });
    const created = await createFunction(deployer, 'score');
    expect(created.body).toMatchObject({ functionName: 'score', runtime: 'python3.10', handler: 'index.handler', memorySize: 256, timeout: 30, codeSize: V1.length, codeChecksum: crc64(V1) });
    expect(await getFunction(deployer, 'score')).toMatchObject({ state: 'Pending', stateReasonCode: 'Creating', environmentVariables: { MODE: 'test' } });
    expect(await untilSettled(deployer, 'score')).toMatchObject({ state: 'Active', lastUpdateStatus: 'Successful' });
    expect(await invoke(deployer, 'score')).toEqual({ version: 1 });
    const got = await getService(deployer);
    expect(got).toMatchObject({ serviceName: 'udf', role: EXEC_ROLE });
    expect(emu.admin.counters().calls).toMatchObject({ 'aliyun:fc:CreateService': 1, 'aliyun:fc:CreateFunction': 1 });
  });

  it('updates code (InProgress, then the new behaviour) and configuration; publishes service versions; deletes', async () => {
    await createService(deployer);
    await createFunction(deployer, 'score');
    await untilSettled(deployer, 'score');
    const published = await deployer.publishServiceVersionWithOptions('udf', new PublishServiceVersionRequest({ description: 'first' }), new PublishServiceVersionHeaders({}), rt());
    expect(published.body).toMatchObject({ versionId: '1', description: 'first' });

    const updated = await deployer.updateFunctionWithOptions('udf', 'score', new UpdateFunctionRequest({ code: new Code({ ossBucketName: BUCKET, ossObjectName: 'udf/v2.zip' }), memorySize: 512, environmentVariables: { MODE: 'prod', EXTRA: 'x' } }), new UpdateFunctionHeaders({}), rt());
    expect(updated.body).toMatchObject({ memorySize: 512, codeChecksum: crc64(V2), runtime: 'python3.10' });
    expect(await getFunction(deployer, 'score')).toMatchObject({ state: 'Active', lastUpdateStatus: 'InProgress' });
    expect(await untilSettled(deployer, 'score')).toMatchObject({ lastUpdateStatus: 'Successful', environmentVariables: { MODE: 'prod', EXTRA: 'x' } });
    expect(await invoke(deployer, 'score')).toEqual({ version: 2 });
    const second = await deployer.publishServiceVersionWithOptions('udf', new PublishServiceVersionRequest({}), new PublishServiceVersionHeaders({}), rt());
    expect(second.body.versionId).toBe('2');
    // Version 1 still answers: the qualifier is accepted for published versions only.
    expect(await failure(invoke(deployer, 'score', '7'))).toMatchObject({ status: 404, code: 'AliasNotFound' });
    await invoke(deployer, 'score', '1');

    const deleted = await deployer.deleteFunctionWithOptions('udf', 'score', new DeleteFunctionHeaders({}), rt());
    expect(deleted.statusCode).toBe(204);
    expect(await failure(getFunction(deployer, 'score'))).toMatchObject({ status: 404, code: 'FunctionNotFound' });
    expect(await failure(deployer.deleteFunctionWithOptions('udf', 'score', new DeleteFunctionHeaders({}), rt()))).toMatchObject({ status: 404, code: 'FunctionNotFound' });
  });

  it('lists functions in pages with nextToken', async () => {
    await createService(deployer);
    for (const name of ['e', 'a', 'c', 'b', 'd']) await createFunction(deployer, name, { code: new Code({ zipFile: V1.toString('base64') }) });
    const first = await deployer.listFunctionsWithOptions('udf', new ListFunctionsRequest({ limit: 2 }), new ListFunctionsHeaders({}), rt());
    expect(first.body.functions!.map((f) => f.functionName)).toEqual(['a', 'b']);
    const names: string[] = [];
    let next: string | undefined;
    do {
      const page = await deployer.listFunctionsWithOptions('udf', new ListFunctionsRequest({ limit: 2, ...(next ? { nextToken: next } : {}) }), new ListFunctionsHeaders({}), rt());
      names.push(...page.body.functions!.map((f) => f.functionName!));
      next = page.body.nextToken;
    } while (next);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('refuses a service role the caller may not pass (ram:PassRole), keeping FC\'s AccessDenied', async () => {
    const noPass = client(deployPolicy({ passRole: false }));
    const denied = await failure(createService(noPass));
    expect(denied).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(denied.message).toContain(`'ram:PassRole' on resource '${EXEC_ROLE}'`);
    expect(await failure(getService(noPass))).toMatchObject({ status: 404, code: 'ServiceNotFound' });
    // Without a role there is nothing to pass.
    await expect(createService(noPass, null)).resolves.toMatchObject({ statusCode: 200 });
    expect(await failure(createService(noPass, null))).toMatchObject({ status: 409, code: 'ServiceAlreadyExists' });
  });

  it('refuses missing packages, packages the caller may not read, and files that are not zips', async () => {
    expect(await failure(createFunction(deployer, 'score'))).toMatchObject({ status: 404, code: 'ServiceNotFound' });
    await createService(deployer);
    const missing = await failure(createFunction(deployer, 'score', { code: new Code({ ossBucketName: BUCKET, ossObjectName: 'udf/none.zip' }) }));
    expect(missing).toMatchObject({ status: 400, code: 'OSSObjectNotFound' });
    expect(missing.message).toContain('udf/none.zip');
    expect(await failure(createFunction(deployer, 'score', { code: new Code({ ossBucketName: 'no-bucket', ossObjectName: 'a.zip' }) }))).toMatchObject({ status: 400, code: 'OSSBucketNotFound' });
    const unreadable = await failure(createFunction(client(deployPolicy({ ossRead: false })), 'score'));
    expect(unreadable).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(unreadable.message).toContain('oss:GetObject');
    const notZip = await failure(createFunction(deployer, 'score', { code: new Code({ ossBucketName: BUCKET, ossObjectName: 'udf/notes.txt' }) }));
    expect(notZip).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(notZip.message).toMatch(/^code: .*not a valid zip/);
    expect(await failure(createFunction(deployer, 'score', { code: new Code({}) }))).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it('names the field of a bad runtime, handler, memory size or timeout; a second create is FunctionAlreadyExists', async () => {
    await createService(deployer);
    for (const [field, value] of [['runtime', 'python9'], ['handler', 'index handler'], ['memorySize', 100], ['timeout', 0]] as const) {
      const bad = await failure(createFunction(deployer, 'score', { [field]: value }));
      expect(bad).toMatchObject({ status: 400, code: 'InvalidArgument' });
      expect(bad.message).toMatch(new RegExp(`^${field} is set to an invalid value`));
    }
    await createFunction(deployer, 'score');
    expect(await failure(createFunction(deployer, 'score'))).toMatchObject({ status: 409, code: 'FunctionAlreadyExists' });
    expect(await failure(deployer.updateFunctionWithOptions('udf', 'score', new UpdateFunctionRequest({ runtime: 'cobol' }), new UpdateFunctionHeaders({}), rt()))).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it('checks each action on the function resource', async () => {
    await createService(deployer);
    await createFunction(deployer, 'score');
    const reader = client({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['fc:GetFunction', 'fc:ListFunctions'], Resource: `acs:fc:${REGION}:${CUSTOMER}:services/udf/functions/*` }] });
    await expect(getFunction(reader, 'score')).resolves.toMatchObject({ functionName: 'score' });
    for (const call of [
      () => reader.deleteFunctionWithOptions('udf', 'score', new DeleteFunctionHeaders({}), rt()),
      () => reader.updateFunctionWithOptions('udf', 'score', new UpdateFunctionRequest({ timeout: 5 }), new UpdateFunctionHeaders({}), rt()),
      () => createFunction(reader, 'other'),
      () => reader.publishServiceVersionWithOptions('udf', new PublishServiceVersionRequest({}), new PublishServiceVersionHeaders({}), rt()),
    ]) {
      const refused = await failure(call());
      expect(refused).toMatchObject({ status: 403, code: 'AccessDenied' });
      expect(refused.message).toContain(`acs:fc:${REGION}:${CUSTOMER}:services/udf`);
    }
  });
});

async function getService(c: FC): Promise<Record<string, unknown>> {
  return (await c.getServiceWithOptions('udf', new GetServiceRequest({}), new GetServiceHeaders({}), rt())).body as unknown as Record<string, unknown>;
}
