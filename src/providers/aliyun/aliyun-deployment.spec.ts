import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type PlatformSeed, startEmulator } from '../../../test/emulators';
import { buildPackage } from '../../../test/emulators/core/packages';
import { Sensitive } from '../../common/logging/sensitive';
import type { IssuedCredentials } from '../cloud-function-provider';
import type { DeployedFunction, FunctionRef, FunctionSpec, PutObjectCall } from '../deployment';
import { ProviderError } from '../provider-error';
import { captureLogger, customerPolicies, keysOf, secretsOf } from '../testing/cloud-fixtures';
import { AliyunFunctionProvider } from './aliyun-provider';

const CUSTOMER = '2222222222222222';
const REGION = 'cn-hangzhou';
const SERVICE = 'udf';
const BUCKET = 'udf-code';
const EXTERNAL_ID = 'tether-ali-deploy-0123456789abcdefgh';
const EXEC_ROLE = `acs:ram::${CUSTOMER}:role/fc-exec`;

let emu: Emulator;
let seed: PlatformSeed;
let aliyun: AliyunFunctionProvider;

/** Installs role `name` with the policies Tether renders for the given capabilities, and assumes it. */
async function roleWith(name: string, setup: { capabilities?: ('invoke' | 'deploy')[]; executionRoleArn?: string; codeBucket?: string } = {}, provider = aliyun): Promise<IssuedCredentials> {
  const { trustPolicy, permissionPolicy } = customerPolicies({ provider: 'aliyun', region: REGION, accountId: CUSTOMER, roleName: name, principal: seed.aliyun.principal, externalId: EXTERNAL_ID, namespace: SERVICE, codeBucket: BUCKET, ...setup });
  emu.admin.createRole({ cloud: 'aliyun', account: CUSTOMER, name, trustPolicy, permissionPolicies: [permissionPolicy] });
  return provider.assumeRole({ region: REGION, roleArn: `acs:ram::${CUSTOMER}:role/${name}`, externalId: EXTERNAL_ID, sessionName: 'tether-deploy', durationSeconds: 900, caller: keysOf(seed.aliyun) });
}

const deployer = (provider = aliyun) => roleWith(`deployer-${Math.random().toString(36).slice(2, 8)}`, { capabilities: ['invoke', 'deploy'], executionRoleArn: EXEC_ROLE }, provider);

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the call to fail');
}

function upload(key: string, body: Buffer): PutObjectCall {
  // Two chunks: the body really is streamed, its size known up front.
  return { region: REGION, bucket: BUCKET, key, body: Readable.from([body.subarray(0, 10), body.subarray(10)]), size: body.length, sha256: createHash('sha256').update(body).digest('hex'), contentType: 'application/zip' };
}

const spec = (key: string, extra: Partial<FunctionSpec> = {}): FunctionSpec => ({
  region: REGION,
  namespace: SERVICE,
  functionName: 'score',
  runtime: 'python3.10',
  handler: 'index.handler',
  memoryMb: 256,
  timeoutSeconds: 30,
  environment: { API_TOKEN: new Sensitive('s3cr3t-env-value-000'), MODE: new Sensitive('prod') },
  code: { bucket: BUCKET, key },
  executionRoleArn: EXEC_ROLE,
  ...extra,
});

/** What deploy-api does: poll getFunction until the function is no longer pending. */
async function settled(creds: IssuedCredentials, ref: FunctionRef): Promise<DeployedFunction> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const f = await aliyun.deployer.getFunction(creds, ref);
    if (f && f.state !== 'pending') return f;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('never settled');
}

async function invokeJson(creds: IssuedCredentials, qualifier?: string): Promise<unknown> {
  const out = await aliyun.invoke(creds, { region: REGION, namespace: SERVICE, functionName: 'score', payload: Buffer.from('{}'), mode: 'sync', logs: false, timeoutMs: 10_000, ...(qualifier ? { qualifier } : {}) });
  return JSON.parse(out.payload.toString('utf8'));
}

const V1 = buildPackage({ type: 'reply', body: { version: 1 } });
const V2 = buildPackage({ type: 'reply', body: { version: 2 } });

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  aliyun?.close();
  aliyun = new AliyunFunctionProvider({ endpoint: emu.url });
  emu.admin.createAccount({ cloud: 'aliyun', id: CUSTOMER });
  emu.admin.createBucket({ cloud: 'aliyun', account: CUSTOMER, name: BUCKET, region: REGION });
  emu.admin.createRole({ cloud: 'aliyun', account: CUSTOMER, name: 'fc-exec', trustPolicy: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${CUSTOMER}:root`] } }] } });
});

describe('Aliyun OSS code bucket', () => {
  it('streams a package with its SHA-256 as metadata; head reads it back; list pages', async () => {
    const creds = await deployer();
    const stored = await aliyun.codeBucket.putObject(creds, upload('udf/v1.zip', V1));
    expect(stored).toEqual({ key: 'udf/v1.zip', size: V1.length, sha256: createHash('sha256').update(V1).digest('hex') });
    const head = await aliyun.codeBucket.headObject(creds, REGION, BUCKET, 'udf/v1.zip');
    expect(head).toMatchObject({ key: 'udf/v1.zip', size: V1.length, sha256: stored.sha256 });
    expect(head?.lastModified).toBeInstanceOf(Date);
    expect(await aliyun.codeBucket.headObject(creds, REGION, BUCKET, 'udf/none.zip')).toBeUndefined();

    for (const key of ['udf/a.zip', 'udf/b.zip', 'other/c.zip']) emu.admin.putObject({ cloud: 'aliyun', bucket: BUCKET, key, body: key });
    const first = await aliyun.codeBucket.listObjects(creds, { region: REGION, bucket: BUCKET, prefix: 'udf/', limit: 2 });
    expect(first.objects.map((o) => o.key)).toEqual(['udf/a.zip', 'udf/b.zip']);
    expect(first.next).toBeDefined();
    const second = await aliyun.codeBucket.listObjects(creds, { region: REGION, bucket: BUCKET, prefix: 'udf/', limit: 2, next: first.next! });
    expect(second).toMatchObject({ objects: [{ key: 'udf/v1.zip', size: V1.length }] });
    expect(second.next).toBeUndefined();
  });

  it('probes the bucket: ok with the rendered policy, a clear refusal without oss:ListObjects, not_found for a missing bucket', async () => {
    const invoker = await roleWith('invoker');
    emu.admin.putObject({ cloud: 'aliyun', bucket: BUCKET, key: 'udf/a.zip', body: 'a' });
    expect(await aliyun.probeBucket(REGION, invoker, BUCKET)).toEqual({ ok: true, detail: `OSS bucket ${BUCKET} in ${REGION} can be listed (first object: udf/a.zip).` });
    const noBucket = await roleWith('no-bucket', { codeBucket: 'elsewhere' });
    const refused = await aliyun.probeBucket(REGION, noBucket, BUCKET);
    expect(refused).toMatchObject({ ok: false, error: { kind: 'access_denied', cloudCode: 'AccessDenied', httpStatus: 403, operation: 'oss:ListObjects' } });
    expect(refused.detail).toContain(`oss:ListObjects on acs:oss:*:${CUSTOMER}:${BUCKET}`);
    expect(await aliyun.probeBucket(REGION, invoker, 'gone-bucket')).toMatchObject({ ok: false, error: { kind: 'not_found', cloudCode: 'NoSuchBucket' } });
    // An invoke-only role reads packages but may not write them.
    expect(await failure(aliyun.codeBucket.putObject(invoker, upload('udf/x.zip', V1)))).toMatchObject({ kind: 'access_denied', operation: 'oss:PutObject' });
  });

  it('maps expired STS credentials and an unreachable OSS', async () => {
    const creds = await deployer();
    emu.admin.advanceClock(901);
    expect(await failure(aliyun.codeBucket.listObjects(creds, { region: REGION, bucket: BUCKET, limit: 10 }))).toMatchObject({ kind: 'expired_credentials', cloudCode: 'SecurityTokenExpired' });
    const offline = new AliyunFunctionProvider({ endpoint: 'http://127.0.0.1:9', controlTimeoutMs: 2000 });
    const result = await offline.probeBucket(REGION, creds, BUCKET);
    expect(result).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
    offline.close();
  });
});

describe('Aliyun FC 2.0 deployment', () => {
  it('creates the service with the execution role, then the function: pending, active, running the package', async () => {
    const { logger, lines } = captureLogger();
    const provider = new AliyunFunctionProvider({ endpoint: emu.url, logger });
    const creds = await deployer(provider);
    await provider.codeBucket.putObject(creds, upload('udf/v1.zip', V1));
    const ref = { region: REGION, namespace: SERVICE, functionName: 'score' };
    expect(await provider.deployer.getFunction(creds, ref)).toBeUndefined();
    const created = await provider.deployer.createFunction(creds, spec('udf/v1.zip'));
    expect(created).toMatchObject({ name: 'score', namespace: SERVICE, state: 'pending', runtime: 'python3.10', handler: 'index.handler', memoryMb: 256, timeoutSeconds: 30, codeSize: V1.length, environmentKeys: ['API_TOKEN', 'MODE'] });
    expect(emu.admin.counters().calls).toMatchObject({ 'aliyun:fc:CreateFunction': 2, 'aliyun:fc:CreateService': 1 });
    const active = await settled(creds, ref);
    expect(active).toMatchObject({ state: 'active', cloudCodeHash: created.cloudCodeHash });
    expect(JSON.stringify(active)).not.toContain('s3cr3t-env-value-000');
    expect(await invokeJson(creds)).toEqual({ version: 1 });
    for (const secret of ['s3cr3t-env-value-000', ...secretsOf(creds)]) expect(lines.join('\n')).not.toContain(secret);
    provider.close();
  });

  it('updates code and configuration, publishes a service version, lists and deletes', async () => {
    const creds = await deployer();
    await aliyun.codeBucket.putObject(creds, upload('udf/v1.zip', V1));
    await aliyun.codeBucket.putObject(creds, upload('udf/v2.zip', V2));
    const ref = { region: REGION, namespace: SERVICE, functionName: 'score' };
    const created = await aliyun.deployer.createFunction(creds, spec('udf/v1.zip'));
    await settled(creds, ref);
    expect(await aliyun.deployer.publishVersion(creds, ref)).toBe('1');

    const updated = await aliyun.deployer.updateFunction(creds, spec('udf/v2.zip', { memoryMb: 512, environment: { MODE: new Sensitive('canary') } }), { code: true, configuration: true });
    expect(updated).toMatchObject({ state: 'pending', memoryMb: 512, environmentKeys: ['MODE'] });
    expect(updated.cloudCodeHash).not.toBe(created.cloudCodeHash);
    expect(await settled(creds, ref)).toMatchObject({ state: 'active', memoryMb: 512 });
    expect(await invokeJson(creds)).toEqual({ version: 2 });
    expect(await aliyun.deployer.publishVersion(creds, ref)).toBe('2');

    // A configuration-only update leaves the code alone.
    const config = await aliyun.deployer.updateFunction(creds, spec('udf/v1.zip', { timeoutSeconds: 60 }), { code: false, configuration: true });
    expect(config).toMatchObject({ timeoutSeconds: 60, cloudCodeHash: updated.cloudCodeHash });

    await aliyun.deployer.createFunction(creds, spec('udf/v1.zip', { functionName: 'other' }));
    const listed = await aliyun.deployer.listFunctions(creds, REGION, SERVICE);
    expect(listed.functions.map((f) => f.name)).toEqual(['other', 'score']);
    await aliyun.deployer.deleteFunction(creds, ref);
    expect(await aliyun.deployer.getFunction(creds, ref)).toBeUndefined();
    expect(await failure(aliyun.deployer.deleteFunction(creds, ref))).toMatchObject({ kind: 'not_found', cloudCode: 'FunctionNotFound' });
    expect(await failure(aliyun.deployer.createFunction(creds, spec('udf/v1.zip', { functionName: 'other' })))).toMatchObject({ kind: 'conflict', cloudCode: 'FunctionAlreadyExists' });
  });

  it('refuses a role it may not pass, keeping FC\'s AccessDenied naming ram:PassRole', async () => {
    // Deploy rendered without an execution role: no ram:PassRole statement.
    const creds = await roleWith('no-pass', { capabilities: ['invoke', 'deploy'] });
    emu.admin.putObject({ cloud: 'aliyun', bucket: BUCKET, key: 'udf/v1.zip', body: V1.toString('base64'), base64: true });
    const refused = await failure(aliyun.deployer.createFunction(creds, spec('udf/v1.zip')));
    expect(refused).toMatchObject({ kind: 'access_denied', cloudCode: 'AccessDenied', operation: 'fc:CreateService', httpStatus: 403 });
    expect(refused.message).toContain(`'ram:PassRole' on resource '${EXEC_ROLE}'`);
  });

  it('tells a missing package, a bad runtime or memory size and a missing namespace apart', async () => {
    const creds = await deployer();
    emu.admin.putObject({ cloud: 'aliyun', bucket: BUCKET, key: 'udf/v1.zip', body: V1.toString('base64'), base64: true });
    expect(await failure(aliyun.deployer.createFunction(creds, spec('udf/none.zip')))).toMatchObject({ kind: 'not_found', cloudCode: 'OSSObjectNotFound' });
    const runtime = await failure(aliyun.deployer.createFunction(creds, spec('udf/v1.zip', { runtime: 'python9' })));
    expect(runtime).toMatchObject({ kind: 'invalid_request', cloudCode: 'InvalidArgument', httpStatus: 400 });
    expect(runtime.message).toMatch(/^runtime: /);
    expect(runtime.cloudMessage).toContain('python9');
    expect((await failure(aliyun.deployer.createFunction(creds, spec('udf/v1.zip', { memoryMb: 100 })))).message).toMatch(/^memoryMb: /);
    expect((await failure(aliyun.deployer.createFunction(creds, spec('udf/v1.zip', { namespace: undefined })))).message).toMatch(/^namespace: /);
  });
});
