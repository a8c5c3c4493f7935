import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type PlatformSeed, startEmulator } from '../../../test/emulators';
import { buildPackage, sha256Hex } from '../../../test/emulators/core/packages';
import { Sensitive } from '../../common/logging/sensitive';
import type { IssuedCredentials } from '../cloud-function-provider';
import type { DeployedFunction, FunctionSpec } from '../deployment';
import { ProviderError } from '../provider-error';
import { captureLogger, customerPolicies, keysOf } from '../testing/cloud-fixtures';
import { TencentFunctionProvider } from './tencent-provider';

const CUSTOMER = '200000000002';
const APPID = '1250000000';
const REGION = 'ap-guangzhou';
const NAMESPACE = 'udf';
const BUCKET = `code-${APPID}`;
const EXTERNAL_ID = 'tether-tc-0123456789abcdefghjkmnpq';
const ROLE = `qcs::cam::uin/${CUSTOMER}:roleName/tether`;
const EXEC_ROLE = `qcs::cam::uin/${CUSTOMER}:roleName/udf-runner`;

let emu: Emulator;
let seed: PlatformSeed;
let tencent: TencentFunctionProvider;
let creds: IssuedCredentials;
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

function policies(passRole: boolean, codeBucket = BUCKET): ReturnType<typeof customerPolicies> {
  return customerPolicies({
    provider: 'tencent',
    region: REGION,
    accountId: CUSTOMER,
    roleName: 'tether',
    principal: seed.tencent.principal,
    externalId: EXTERNAL_ID,
    namespace: NAMESPACE,
    codeBucket,
    capabilities: ['invoke', 'deploy'],
    ...(passRole ? { executionRoleArn: EXEC_ROLE } : {}),
  });
}

const assume = (): Promise<IssuedCredentials> =>
  tencent.assumeRole({ region: REGION, roleArn: ROLE, externalId: EXTERNAL_ID, sessionName: 'deploy-test', durationSeconds: 900, caller: keysOf(seed.tencent) });

async function upload(key: string, body: Buffer): Promise<void> {
  await tencent.codeBucket.putObject(creds, { region: REGION, bucket: BUCKET, key, body: Readable.from([body]), size: body.length, sha256: sha256Hex(body), contentType: 'application/zip' });
}

const spec = (key: string, extra: Partial<FunctionSpec> = {}): FunctionSpec => ({
  region: REGION,
  namespace: NAMESPACE,
  functionName: 'udf-fn',
  runtime: 'Python3.9',
  handler: 'index.main_handler',
  memoryMb: 256,
  timeoutSeconds: 10,
  environment: { API_TOKEN: new Sensitive('s3cr3t-value-never-logged'), MODE: new Sensitive('fast') },
  code: { bucket: BUCKET, key },
  executionRoleArn: EXEC_ROLE,
  ...extra,
});

/** Polls as deploy-api does: until the function is no longer pending. */
async function settled(): Promise<DeployedFunction> {
  for (let i = 0; i < 100; i += 1) {
    const f = await tencent.deployer.getFunction(creds, { region: REGION, namespace: NAMESPACE, functionName: 'udf-fn', accountId: CUSTOMER });
    if (f && f.state !== 'pending') return f;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('never settled');
}

async function invoke(): Promise<unknown> {
  const out = await tencent.invoke(creds, { region: REGION, namespace: NAMESPACE, functionName: 'udf-fn', payload: Buffer.from('{}'), mode: 'sync', logs: false, timeoutMs: 5000 });
  return JSON.parse(out.payload.toString('utf8'));
}

beforeAll(async () => {
  emu = await startEmulator();
  proxyBefore = process.env['http_proxy'];
  // A proxy that would swallow every COS request if cos-request used it (it must not).
  process.env['http_proxy'] = 'http://127.0.0.1:9';
});

afterAll(async () => {
  if (proxyBefore === undefined) delete process.env['http_proxy'];
  else process.env['http_proxy'] = proxyBefore;
  await emu.close();
});

beforeEach(async () => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  tencent = new TencentFunctionProvider({ endpoint: emu.url, deployment: { settlePollMs: 50 } });
  emu.admin.createAccount({ cloud: 'tencent', id: CUSTOMER, appId: APPID });
  const { trustPolicy, permissionPolicy } = policies(true);
  emu.admin.createRole({ cloud: 'tencent', account: CUSTOMER, name: 'tether', trustPolicy, permissionPolicies: [permissionPolicy] });
  emu.admin.createRole({ cloud: 'tencent', account: CUSTOMER, name: 'udf-runner', trustPolicy: { version: '2.0', statement: [{ action: 'name/sts:AssumeRole', effect: 'allow', principal: { service: ['scf.qcloud.com'] } }] } });
  emu.admin.createBucket({ cloud: 'tencent', account: CUSTOMER, name: BUCKET, region: REGION });
  emu.admin.createBucket({ cloud: 'tencent', account: CUSTOMER, name: `private-${APPID}`, region: REGION });
  creds = await assume();
});

describe('Tencent code bucket (COS)', () => {
  it('puts a package with its SHA-256 as metadata, heads it back, lists pages; a missing object is undefined', async () => {
    const one = buildPackage({ type: 'reply', body: { version: 1 } });
    await upload('pkgs/v1.zip', one);
    await upload('pkgs/v2.zip', buildPackage({ type: 'reply', body: { version: 2 } }));
    await upload('other/x.zip', Buffer.from('x'));
    expect(await tencent.codeBucket.headObject(creds, REGION, BUCKET, 'pkgs/v1.zip')).toMatchObject({ key: 'pkgs/v1.zip', size: one.length, sha256: sha256Hex(one) });
    expect(await tencent.codeBucket.headObject(creds, REGION, BUCKET, 'pkgs/none.zip')).toBeUndefined();

    const first = await tencent.codeBucket.listObjects(creds, { region: REGION, bucket: BUCKET, prefix: 'pkgs/', limit: 1 });
    expect(first.objects).toMatchObject([{ key: 'pkgs/v1.zip', size: one.length }]);
    const second = await tencent.codeBucket.listObjects(creds, { region: REGION, bucket: BUCKET, prefix: 'pkgs/', limit: 1, next: first.next! });
    expect(second.objects.map((o) => o.key)).toEqual(['pkgs/v2.zip']);
    expect(second.next).toBeUndefined();
  });

  it('probes the code bucket: ok when the role may list it, a clear refusal when it may not', async () => {
    const ok = await tencent.probeBucket(REGION, creds, BUCKET);
    expect(ok).toMatchObject({ ok: true, detail: `COS bucket ${BUCKET} in ${REGION} can be listed (0 objects in the first page of one).` });
    expect(await tencent.probeBucket(REGION, creds, `private-${APPID}`)).toMatchObject({ ok: false, error: { kind: 'access_denied', cloudCode: 'AccessDenied', httpStatus: 403, requestId: expect.any(String) } });
    expect(await tencent.probeBucket(REGION, creds, `gone-${APPID}`)).toMatchObject({ ok: false, error: { kind: 'not_found', cloudCode: 'NoSuchBucket' } });
    expect(await tencent.probeBucket(REGION, creds, 'no-appid')).toMatchObject({ ok: false, error: { kind: 'invalid_request' } });
    emu.admin.advanceClock(901);
    expect(await tencent.probeBucket(REGION, creds, BUCKET)).toMatchObject({ ok: false, error: { kind: 'expired_credentials', cloudCode: 'ExpiredToken' } });
  });
});

describe('Tencent SCF deployment', () => {
  it('creates (pending → active), runs the package, updates code and configuration, publishes, lists and deletes', async () => {
    const { logger, lines } = captureLogger();
    tencent = new TencentFunctionProvider({ endpoint: emu.url, logger, deployment: { settlePollMs: 50 } });
    creds = await assume();
    await upload('pkgs/v1.zip', buildPackage({ type: 'reply', body: { version: 1 } }));
    await upload('pkgs/v2.zip', buildPackage({ type: 'reply', body: { version: 2 } }));
    expect(await tencent.deployer.getFunction(creds, { region: REGION, namespace: NAMESPACE, functionName: 'udf-fn' })).toBeUndefined();

    const created = await tencent.deployer.createFunction(creds, spec('pkgs/v1.zip'));
    expect(created).toMatchObject({ name: 'udf-fn', namespace: NAMESPACE, state: 'pending', runtime: 'Python3.9', handler: 'index.main_handler', memoryMb: 256, timeoutSeconds: 10, environmentKeys: ['API_TOKEN', 'MODE'], executionRoleArn: EXEC_ROLE });
    expect(await settled()).toMatchObject({ state: 'active', executionRoleArn: EXEC_ROLE });
    expect(await invoke()).toEqual({ version: 1 });

    // Code and configuration together: configuration first, then (once SCF settled) the code.
    const updated = await tencent.deployer.updateFunction(creds, spec('pkgs/v2.zip', { memoryMb: 512, handler: 'main.handler', environment: {} }), { code: true, configuration: true });
    expect(updated.state).toBe('pending');
    expect(await settled()).toMatchObject({ state: 'active', memoryMb: 512, handler: 'main.handler', environmentKeys: [] });
    expect(await invoke()).toEqual({ version: 2 });

    // A configuration-only update whose handler changed still rewrites the handler (SCF keeps it with the code).
    await tencent.deployer.updateFunction(creds, spec('pkgs/v2.zip', { memoryMb: 512, handler: 'app.run', environment: {} }), { code: false, configuration: true });
    expect(await settled()).toMatchObject({ handler: 'app.run' });

    expect(await tencent.deployer.publishVersion(creds, { region: REGION, namespace: NAMESPACE, functionName: 'udf-fn' })).toBe('1');
    const page = await tencent.deployer.listFunctions(creds, REGION, NAMESPACE);
    expect(page).toMatchObject({ functions: [{ name: 'udf-fn', state: 'active', memoryMb: 512 }] });
    expect(page.next).toBeUndefined();

    await tencent.deployer.deleteFunction(creds, { region: REGION, namespace: NAMESPACE, functionName: 'udf-fn' });
    expect(await tencent.deployer.getFunction(creds, { region: REGION, namespace: NAMESPACE, functionName: 'udf-fn' })).toBeUndefined();
    expect(lines.join('\n')).not.toContain('s3cr3t-value-never-logged');
  });

  it('pages ListFunctions with an offset marker', async () => {
    await upload('pkgs/v1.zip', buildPackage({ type: 'echo' }));
    for (let i = 0; i < 22; i += 1) await tencent.deployer.createFunction(creds, spec('pkgs/v1.zip', { functionName: `fn-${String(i).padStart(2, '0')}` }));
    const first = await tencent.deployer.listFunctions(creds, REGION, NAMESPACE);
    expect(first.functions).toHaveLength(20);
    expect(first.next).toBe('20');
    const second = await tencent.deployer.listFunctions(creds, REGION, NAMESPACE, first.next);
    expect(second.functions.map((f) => f.name)).toEqual(['fn-20', 'fn-21']);
    expect(second.next).toBeUndefined();
  });

  it('maps PassRole, a missing package, bad fields, an existing function and a busy one to clear errors', async () => {
    await upload('pkgs/v1.zip', buildPackage({ type: 'echo' }));
    expect(await failure(tencent.deployer.createFunction(creds, spec('pkgs/none.zip')))).toMatchObject({ kind: 'not_found', cloudCode: 'ResourceNotFound.Cos' });
    const runtime = await failure(tencent.deployer.createFunction(creds, spec('pkgs/v1.zip', { runtime: 'Cobol85' })));
    expect(runtime).toMatchObject({ kind: 'invalid_request', cloudCode: 'InvalidParameterValue.Runtime' });
    expect(runtime.message).toMatch(/rejected the runtime/);
    expect((await failure(tencent.deployer.createFunction(creds, spec('pkgs/v1.zip', { memoryMb: 100 })))).message).toMatch(/rejected the memory/);
    expect((await failure(tencent.deployer.createFunction(creds, spec('pkgs/v1.zip', { handler: 'nodot' })))).message).toMatch(/rejected the handler/);

    await tencent.deployer.createFunction(creds, spec('pkgs/v1.zip'));
    expect(await failure(tencent.deployer.createFunction(creds, spec('pkgs/v1.zip')))).toMatchObject({ kind: 'conflict', cloudCode: 'ResourceInUse.Function' });
    expect(await failure(tencent.deployer.publishVersion(creds, { region: REGION, namespace: NAMESPACE, functionName: 'udf-fn' }))).toMatchObject({ kind: 'conflict', cloudCode: 'FailedOperation.PublishVersion' });

    const { trustPolicy, permissionPolicy } = policies(false);
    emu.admin.putTrustPolicy({ cloud: 'tencent', roleArn: ROLE, trustPolicy });
    emu.admin.putPermissionPolicies({ cloud: 'tencent', roleArn: ROLE, permissionPolicies: [permissionPolicy] });
    creds = await assume();
    const passRole = await failure(tencent.deployer.createFunction(creds, spec('pkgs/v1.zip', { functionName: 'udf-other' })));
    expect(passRole).toMatchObject({ kind: 'access_denied', cloudCode: 'UnauthorizedOperation.CAM' });
    expect(passRole.cloudMessage).toContain('cam:PassRole');
  });
});
