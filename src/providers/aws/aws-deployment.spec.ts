import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Sensitive } from '../../common/logging/sensitive';
import { buildPackage } from '../../../test/emulators/core/packages';
import { type Emulator, type PlatformSeed, startEmulator } from '../../../test/emulators';
import type { CloudCredentials, IssuedCredentials } from '../cloud-function-provider';
import type { FunctionSpec } from '../deployment';
import { ProviderError } from '../provider-error';
import { captureLogger, keysOf } from '../testing/cloud-fixtures';
import { AwsFunctionProvider } from './aws-provider';

const CUSTOMER = '555555555555';
const REGION = 'us-west-2';
const EXTERNAL_ID = 'tether-aws-deploy-0123456789abcdefgh';
const BUCKET = 'cz-udf-code';
const EXEC_ROLE = `arn:aws:iam::${CUSTOMER}:role/udf-exec`;
const FUNCTIONS = `arn:aws:lambda:${REGION}:${CUSTOMER}:function:*`;
const SECRET_VALUE = 'env-secret-value-do-not-leak-42';

let emu: Emulator;
let seed: PlatformSeed;
let platform: CloudCredentials;
let aws: AwsFunctionProvider;

/** What a connection with the deploy capability grants: the code bucket, Lambda in the region, PassRole for the execution role only. */
const DEPLOY_STATEMENTS = [
  { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${BUCKET}/*` },
  { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
  {
    Effect: 'Allow',
    Action: ['lambda:CreateFunction', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion', 'lambda:DeleteFunction', 'lambda:InvokeFunction'],
    Resource: [FUNCTIONS, `${FUNCTIONS}:*`],
  },
  { Effect: 'Allow', Action: 'lambda:ListFunctions', Resource: '*' },
];
const PASS_ROLE = { Effect: 'Allow', Action: 'iam:PassRole', Resource: EXEC_ROLE, Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } };

function createCustomerRole(name: string, statements: object[]): string {
  const trustPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: seed.aws.principal }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } }] };
  return emu.admin.createRole({ cloud: 'aws', account: CUSTOMER, name, trustPolicy, permissionPolicies: [{ Version: '2012-10-17', Statement: statements }] }).arn;
}

function assume(roleArn = `arn:aws:iam::${CUSTOMER}:role/tether`): Promise<IssuedCredentials> {
  return aws.assumeRole({ region: REGION, roleArn, sessionName: 'tether-deploy', durationSeconds: 900, caller: platform, externalId: EXTERNAL_ID });
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the call to fail');
}

const V1 = buildPackage({ type: 'reply', body: { version: 1 } });
const V2 = buildPackage({ type: 'reply', body: { version: 2 } });
const hex = (zip: Buffer): string => createHash('sha256').update(zip).digest('hex');
const b64 = (zip: Buffer): string => createHash('sha256').update(zip).digest('base64');

function spec(name: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  return {
    region: REGION,
    functionName: name,
    runtime: 'python3.12',
    handler: 'index.handler',
    memoryMb: 256,
    timeoutSeconds: 30,
    environment: { MODE: new Sensitive('test'), API_TOKEN: new Sensitive(SECRET_VALUE) },
    code: { bucket: BUCKET, key: 'code/v1.zip' },
    executionRoleArn: EXEC_ROLE,
    ...extra,
  };
}

async function invokeJson(creds: CloudCredentials, name: string, qualifier?: string): Promise<unknown> {
  const out = await aws.invoke(creds, { region: REGION, functionName: name, payload: Buffer.from('{}'), mode: 'sync', logs: false, timeoutMs: 10_000, ...(qualifier ? { qualifier } : {}) });
  return JSON.parse(out.payload.toString('utf8'));
}

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
  aws = new AwsFunctionProvider({ endpoint: emu.url, updatePollMs: 5 });
  emu.admin.createAccount({ cloud: 'aws', id: CUSTOMER });
  emu.admin.configureDeployment({ pendingMs: 60_000 });
  createCustomerRole('tether', [...DEPLOY_STATEMENTS, PASS_ROLE]);
  emu.admin.createRole({ cloud: 'aws', account: CUSTOMER, name: 'udf-exec', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } });
  emu.admin.createBucket({ account: CUSTOMER, name: BUCKET, region: REGION });
  for (const [key, zip] of [['code/v1.zip', V1], ['code/v2.zip', V2]] as const) emu.admin.putObject({ bucket: BUCKET, key, body: zip.toString('base64'), base64: true, metadata: { 'tether-sha256': hex(zip) } });
});

describe('AWS code packages (S3)', () => {
  it('uploads a stream with the tether-sha256 metadata; HEAD reads it back; a missing key is undefined', async () => {
    const creds = await assume();
    const stored = await aws.codeBucket.putObject(creds, { region: REGION, bucket: BUCKET, key: 'code/new.zip', body: Readable.from([V2]), size: V2.length, sha256: hex(V2), contentType: 'application/zip' });
    expect(stored).toEqual({ key: 'code/new.zip', size: V2.length, sha256: hex(V2) });
    const head = await aws.codeBucket.headObject(creds, REGION, BUCKET, 'code/new.zip');
    expect(head).toMatchObject({ key: 'code/new.zip', size: V2.length, sha256: hex(V2) });
    expect(head?.lastModified).toBeInstanceOf(Date);
    await expect(aws.codeBucket.headObject(creds, REGION, BUCKET, 'code/none.zip')).resolves.toBeUndefined();
    expect(emu.admin.counters().calls['aws:s3:PutObject']).toBe(1);
  });

  it('a body that does not match its SHA-256 is refused by S3 (BadDigest), and a bucket without PutObject is access_denied', async () => {
    const creds = await assume();
    const bad = await failure(aws.codeBucket.putObject(creds, { region: REGION, bucket: BUCKET, key: 'code/bad.zip', body: Readable.from([V1]), size: V1.length, sha256: hex(V2), contentType: 'application/zip' }));
    expect(bad).toMatchObject({ kind: 'invalid_request', cloudCode: 'BadDigest', httpStatus: 400 });
    emu.admin.createBucket({ account: CUSTOMER, name: 'other-bucket', region: REGION });
    const denied = await failure(aws.codeBucket.putObject(creds, { region: REGION, bucket: 'other-bucket', key: 'x.zip', body: Readable.from([V1]), size: V1.length, sha256: hex(V1), contentType: 'application/zip' }));
    expect(denied).toMatchObject({ kind: 'access_denied', cloudCode: 'AccessDenied', operation: 's3:PutObject' });
    expect(await failure(aws.codeBucket.listObjects(creds, { region: REGION, bucket: 'no-such-bucket', limit: 10 }))).toMatchObject({ kind: 'not_found', cloudCode: 'NoSuchBucket' });
  });

  it('lists page by page with the continuation token', async () => {
    const creds = await assume();
    const first = await aws.codeBucket.listObjects(creds, { region: REGION, bucket: BUCKET, prefix: 'code/', limit: 1 });
    expect(first.objects).toEqual([{ key: 'code/v1.zip', size: V1.length, lastModified: expect.any(Date) }]);
    expect(first.next).toBeTruthy();
    const second = await aws.codeBucket.listObjects(creds, { region: REGION, bucket: BUCKET, prefix: 'code/', limit: 1, next: first.next! });
    expect(second.objects.map((o) => o.key)).toEqual(['code/v2.zip']);
    expect(second.next).toBeUndefined();
  });
});

describe('AWS Lambda functions', () => {
  it('creates (pending), reads (active) and runs a function; only environment names come back', async () => {
    const creds = await assume();
    const created = await aws.deployer.createFunction(creds, spec('udf-score'));
    expect(created).toMatchObject({ name: 'udf-score', state: 'pending', stateReason: 'The function is being created.', runtime: 'python3.12', memoryMb: 256, timeoutSeconds: 30, cloudCodeHash: b64(V1), codeSize: V1.length, executionRoleArn: EXEC_ROLE });
    expect(created.environmentKeys).toEqual(['API_TOKEN', 'MODE']);
    expect(JSON.stringify(created)).not.toContain(SECRET_VALUE);
    emu.admin.completeDeployments();
    const read = await aws.deployer.getFunction(creds, { region: REGION, functionName: 'udf-score' });
    expect(read).toMatchObject({ state: 'active', cloudCodeHash: b64(V1), lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    expect(read?.stateReason).toBeUndefined();
    expect(await invokeJson(creds, 'udf-score')).toEqual({ version: 1 });
    await expect(aws.deployer.getFunction(creds, { region: REGION, functionName: 'udf-missing' })).resolves.toBeUndefined();
  });

  it('updates code and configuration: waits for the code update before the configuration one', async () => {
    const creds = await assume();
    await aws.deployer.createFunction(creds, spec('udf-up'));
    emu.admin.completeDeployments();
    // Short enough for the provider's polling between the two updates; long enough to be seen pending.
    emu.admin.configureDeployment({ pendingMs: 40 });
    emu.admin.reset('counters');
    const updated = await aws.deployer.updateFunction(creds, spec('udf-up', { code: { bucket: BUCKET, key: 'code/v2.zip' }, memoryMb: 512, environment: { MODE: new Sensitive('prod') } }), { code: true, configuration: true });
    expect(updated).toMatchObject({ state: 'pending', memoryMb: 512, cloudCodeHash: b64(V2), environmentKeys: ['MODE'] });
    const calls = emu.admin.counters().calls;
    expect(calls['aws:lambda:UpdateFunctionCode']).toBe(1);
    expect(calls['aws:lambda:UpdateFunctionConfiguration']).toBe(1);
    expect(calls['aws:lambda:GetFunctionConfiguration']).toBeGreaterThanOrEqual(1);
    emu.admin.completeDeployments();
    expect(await invokeJson(creds, 'udf-up')).toEqual({ version: 2 });
  });

  it('updates only what it is told to', async () => {
    const creds = await assume();
    await aws.deployer.createFunction(creds, spec('udf-conf'));
    emu.admin.completeDeployments();
    emu.admin.reset('counters');
    const out = await aws.deployer.updateFunction(creds, spec('udf-conf', { timeoutSeconds: 60 }), { code: false, configuration: true });
    expect(out).toMatchObject({ state: 'pending', timeoutSeconds: 60, cloudCodeHash: b64(V1) });
    expect(emu.admin.counters().calls['aws:lambda:UpdateFunctionCode']).toBeUndefined();
  });

  it('a failed code update is reported failed, and the configuration is left alone', async () => {
    emu.admin.putObject({ bucket: BUCKET, key: 'code/broken.zip', body: buildPackage({ type: 'echo' }, { 'emulator.json': '"x"' }).toString('base64'), base64: true });
    const creds = await assume();
    await aws.deployer.createFunction(creds, spec('udf-broken'));
    emu.admin.completeDeployments();
    emu.admin.configureDeployment({ pendingMs: 20 });
    const out = await aws.deployer.updateFunction(creds, spec('udf-broken', { code: { bucket: BUCKET, key: 'code/broken.zip' }, memoryMb: 1024 }), { code: true, configuration: true });
    expect(out).toMatchObject({ state: 'failed', stateReason: expect.stringContaining('emulator.json'), memoryMb: 256 });
    expect(await invokeJson(creds, 'udf-broken')).toEqual({ version: 1 });
  });

  it('publishes a version, lists page by page, deletes', async () => {
    const creds = await assume();
    await aws.deployer.createFunction(creds, spec('udf-ver'));
    emu.admin.completeDeployments();
    expect(await aws.deployer.publishVersion(creds, { region: REGION, functionName: 'udf-ver' })).toBe('1');
    for (let i = 0; i < 50; i++) emu.admin.createFunction({ cloud: 'aws', account: CUSTOMER, region: REGION, name: `admin-${String(i).padStart(2, '0')}` });
    const first = await aws.deployer.listFunctions(creds, REGION, undefined);
    expect(first.functions).toHaveLength(50);
    expect(first.next).toBeTruthy();
    const second = await aws.deployer.listFunctions(creds, REGION, undefined, first.next);
    expect(second.functions.map((f) => f.name)).toEqual(['udf-ver']);
    expect(second.functions[0]).toMatchObject({ state: 'active', cloudCodeHash: b64(V1) });
    expect(second.next).toBeUndefined();

    await aws.deployer.deleteFunction(creds, { region: REGION, functionName: 'udf-ver' });
    await expect(aws.deployer.getFunction(creds, { region: REGION, functionName: 'udf-ver' })).resolves.toBeUndefined();
    expect(await failure(aws.deployer.deleteFunction(creds, { region: REGION, functionName: 'udf-ver' }))).toMatchObject({ kind: 'not_found', cloudCode: 'ResourceNotFoundException' });
  });
});

describe('AWS deployment errors', () => {
  it('PassRole missing: access_denied naming executionRoleArn, with Lambda’s code and sentence', async () => {
    const creds = await assume(createCustomerRole('no-pass', DEPLOY_STATEMENTS));
    const error = await failure(aws.deployer.createFunction(creds, spec('udf-np')));
    expect(error).toMatchObject({ kind: 'access_denied', cloudCode: 'AccessDeniedException', httpStatus: 403, operation: 'lambda:CreateFunction' });
    expect(error.message).toMatch(/^executionRoleArn: /);
    expect(error.cloudMessage).toContain(`iam:PassRole on resource: ${EXEC_ROLE}`);
  });

  it('a role that Lambda cannot assume, or none at all, is invalid_request on executionRoleArn', async () => {
    emu.admin.createRole({ cloud: 'aws', account: CUSTOMER, name: 'ec2-only', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] } });
    const creds = await assume(createCustomerRole('wide-pass', [...DEPLOY_STATEMENTS, { ...PASS_ROLE, Resource: `arn:aws:iam::${CUSTOMER}:role/*` }]));
    const error = await failure(aws.deployer.createFunction(creds, spec('udf-r', { executionRoleArn: `arn:aws:iam::${CUSTOMER}:role/ec2-only` })));
    expect(error).toMatchObject({ kind: 'invalid_request', cloudCode: 'InvalidParameterValueException', cloudMessage: 'The role defined for the function cannot be assumed by Lambda.' });
    expect(error.message).toMatch(/^executionRoleArn: /);
    const { executionRoleArn: _, ...withoutRole } = spec('udf-r');
    expect((await failure(aws.deployer.createFunction(creds, withoutRole))).message).toMatch(/^executionRoleArn: /);
    expect(emu.admin.counters().calls['aws:lambda:CreateFunction']).toBe(1);
  });

  it('a missing package is not_found on code; a bucket the caller cannot read is access_denied', async () => {
    const creds = await assume();
    const missing = await failure(aws.deployer.createFunction(creds, spec('udf-k', { code: { bucket: BUCKET, key: 'code/none.zip' } })));
    expect(missing).toMatchObject({ kind: 'not_found', cloudCode: 'InvalidParameterValueException', cloudMessage: expect.stringContaining('S3 Error Code: NoSuchKey') });
    expect(missing.message).toMatch(/^code: /);
    expect(await failure(aws.deployer.createFunction(creds, spec('udf-k', { code: { bucket: 'no-such-bucket', key: 'x.zip' } })))).toMatchObject({ kind: 'not_found' });
    emu.admin.createBucket({ account: CUSTOMER, name: 'foreign-code', region: REGION });
    emu.admin.putObject({ bucket: 'foreign-code', key: 'v1.zip', body: V1.toString('base64'), base64: true });
    const denied = await failure(aws.deployer.createFunction(creds, spec('udf-k', { code: { bucket: 'foreign-code', key: 'v1.zip' } })));
    expect(denied).toMatchObject({ kind: 'access_denied', cloudCode: 'AccessDeniedException' });
    expect(denied.message).toMatch(/^code: /);
  });

  it('bad runtime, handler, memory and timeout are invalid_request naming the field; values of the environment never show', async () => {
    const { logger, lines } = captureLogger();
    aws.close();
    aws = new AwsFunctionProvider({ endpoint: emu.url, logger });
    const creds = await assume();
    const cases: Array<[Partial<FunctionSpec>, string]> = [
      [{ runtime: 'python9' }, 'runtime'],
      [{ runtime: 'python2.7' }, 'runtime'],
      [{ handler: 'has space' }, 'handler'],
      [{ memoryMb: 64 }, 'memoryMb'],
      [{ timeoutSeconds: 901 }, 'timeoutSeconds'],
      [{ memoryMb: 20_000, timeoutSeconds: 0 }, 'memoryMb, timeoutSeconds'],
      [{ environment: { AWS_REGION: new Sensitive(SECRET_VALUE) } }, 'environment'],
    ];
    for (const [extra, field] of cases) {
      const error = await failure(aws.deployer.createFunction(creds, spec('udf-bad', extra)));
      expect(error.kind).toBe('invalid_request');
      expect(error.message.startsWith(`${field}: `)).toBe(true);
      expect(['ValidationException', 'InvalidParameterValueException']).toContain(error.cloudCode);
      expect(JSON.stringify(error) + error.message).not.toContain(SECRET_VALUE);
    }
    expect(lines.join('\n')).not.toContain(SECRET_VALUE);
  });

  it('conflicts: creating an existing function, updating one that is still being changed', async () => {
    const creds = await assume();
    await aws.deployer.createFunction(creds, spec('udf-c'));
    expect(await failure(aws.deployer.createFunction(creds, spec('udf-c')))).toMatchObject({ kind: 'conflict', cloudCode: 'ResourceConflictException', httpStatus: 409 });
    expect(await failure(aws.deployer.updateFunction(creds, spec('udf-c'), { code: true, configuration: false }))).toMatchObject({ kind: 'conflict' });
    expect(await failure(aws.deployer.publishVersion(creds, { region: REGION, functionName: 'udf-c' }))).toMatchObject({ kind: 'conflict' });
  });

  it('gives up waiting for a code update that does not finish, as a conflict', async () => {
    const creds = await assume();
    aws.close();
    aws = new AwsFunctionProvider({ endpoint: emu.url, updatePollMs: 5, updateWaitMs: 30 });
    await aws.deployer.createFunction(creds, spec('udf-slow'));
    emu.admin.completeDeployments();
    const error = await failure(aws.deployer.updateFunction(creds, spec('udf-slow', { code: { bucket: BUCKET, key: 'code/v2.zip' } }), { code: true, configuration: true }));
    expect(error).toMatchObject({ kind: 'conflict', operation: 'lambda:UpdateFunctionConfiguration' });
    expect(emu.admin.counters().calls['aws:lambda:UpdateFunctionConfiguration']).toBeUndefined();
  });

  it('code storage quota: quota_exceeded', async () => {
    emu.admin.configureDeployment({ lambdaCodeStorageBytes: V1.length + 1 });
    const creds = await assume();
    await aws.deployer.createFunction(creds, spec('udf-q1'));
    const error = await failure(aws.deployer.createFunction(creds, spec('udf-q2')));
    expect(error).toMatchObject({ kind: 'quota_exceeded', cloudCode: 'CodeStorageExceededException' });
    expect(error.message).toMatch(/^code: /);
  });
});
