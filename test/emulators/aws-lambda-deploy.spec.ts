import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkChecksums, crc32, uploadPayload } from './aws/s3-payload';
import { buildPackage } from './core/packages';
import { type Emulator, startEmulator } from './index';

const CUSTOMER = '444444444444';
const REGION = 'eu-central-1';
const BUCKET = 'cz-udf-code';
const EXEC_ROLE = `arn:aws:iam::${CUSTOMER}:role/udf-exec`;
const EC2_ROLE = `arn:aws:iam::${CUSTOMER}:role/ec2-only`;
const FN_ARNS = `arn:aws:lambda:${REGION}:${CUSTOMER}:function:udf-*`;

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

let emu: Emulator;
let deployer: Keys;

const lambda = (credentials: Keys): LambdaClient => new LambdaClient({ region: REGION, endpoint: emu.url, credentials, maxAttempts: 1 });
const s3 = (credentials: Keys): S3Client => new S3Client({ region: REGION, endpoint: emu.url, forcePathStyle: true, credentials, maxAttempts: 1 });

interface Failure {
  name: string;
  status: number | undefined;
  message: string;
}

async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail');
}

/** A user of the customer account with the given statements (and keys to sign with). */
function user(name: string, statements: object[]): Keys {
  const keys = emu.admin.createUser({ cloud: 'aws', account: CUSTOMER, name, policies: [{ Version: '2012-10-17', Statement: statements }] });
  return { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secret };
}

const LAMBDA_ALL = { Effect: 'Allow', Action: ['lambda:*'], Resource: [FN_ARNS, `${FN_ARNS}:*`] };
const LIST = { Effect: 'Allow', Action: 'lambda:ListFunctions', Resource: '*' };
const PASS_EXEC = { Effect: 'Allow', Action: 'iam:PassRole', Resource: [EXEC_ROLE, EC2_ROLE], Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } };
const READ_CODE = { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${BUCKET}/*` };
const LIST_CODE = { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` };

function putPackage(key: string, zip: Buffer): void {
  emu.admin.putObject({ bucket: BUCKET, key, body: zip.toString('base64'), base64: true });
}

const spec = (name: string, key = 'code/v1.zip', extra: Partial<CreateFunctionCommandInput> = {}): CreateFunctionCommandInput => ({
  FunctionName: name,
  Runtime: 'python3.12',
  Handler: 'index.handler',
  Role: EXEC_ROLE,
  MemorySize: 256,
  Timeout: 30,
  Code: { S3Bucket: BUCKET, S3Key: key },
  Environment: { Variables: { MODE: 'test' } },
  ...extra,
});

async function invokeJson(client: LambdaClient, name: string, qualifier?: string): Promise<unknown> {
  const out = await client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"x":1}'), ...(qualifier ? { Qualifier: qualifier } : {}) }));
  return JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
}

const V1 = buildPackage({ type: 'reply', body: { version: 1 } });
const V2 = buildPackage({ type: 'reply', body: { version: 2 } });
const base64Sha256 = (zip: Buffer): string => createHash('sha256').update(zip).digest('base64');

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  emu.admin.createAccount({ cloud: 'aws', id: CUSTOMER });
  // Long enough that a test sees Pending; completeDeployments() ends it without waiting.
  emu.admin.configureDeployment({ pendingMs: 60_000 });
  emu.admin.createRole({ cloud: 'aws', account: CUSTOMER, name: 'udf-exec', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } });
  emu.admin.createRole({ cloud: 'aws', account: CUSTOMER, name: 'ec2-only', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] } });
  emu.admin.createBucket({ account: CUSTOMER, name: BUCKET, region: REGION });
  putPackage('code/v1.zip', V1);
  putPackage('code/v2.zip', V2);
  deployer = user('deployer', [LAMBDA_ALL, LIST, PASS_EXEC, READ_CODE, LIST_CODE]);
});

describe('Lambda deployment: create, pending, active', () => {
  it('creates from a package in S3: Pending until the deployment completes, then Active and running the package', async () => {
    const c = lambda(deployer);
    const created = await c.send(new CreateFunctionCommand(spec('udf-score')));
    expect(created).toMatchObject({
      FunctionName: 'udf-score',
      FunctionArn: `arn:aws:lambda:${REGION}:${CUSTOMER}:function:udf-score`,
      Runtime: 'python3.12',
      Role: EXEC_ROLE,
      Handler: 'index.handler',
      CodeSize: V1.length,
      CodeSha256: base64Sha256(V1),
      MemorySize: 256,
      Timeout: 30,
      Environment: { Variables: { MODE: 'test' } },
      Version: '$LATEST',
      State: 'Pending',
      StateReasonCode: 'Creating',
    });
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(await failure(invokeJson(c, 'udf-score'))).toMatchObject({ name: 'ResourceConflictException', status: 409, message: expect.stringContaining('state: Pending') });

    expect(emu.admin.completeDeployments()).toEqual({ completed: 1 });
    const got = await c.send(new GetFunctionCommand({ FunctionName: 'udf-score' }));
    expect(got.Configuration).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful', CodeSha256: base64Sha256(V1) });
    expect(got.Configuration!.StateReason).toBeUndefined();
    expect(got.Code?.RepositoryType).toBe('S3');
    expect(await invokeJson(c, 'udf-score')).toEqual({ version: 1 });
    expect((await c.send(new GetFunctionConfigurationCommand({ FunctionName: 'udf-score' }))).State).toBe('Active');
  });

  it('turns active by itself once pendingMs has passed (0: at once; set over the admin HTTP API here)', async () => {
    const set = await fetch(`${emu.url}/__emulator/deployment`, { method: 'PUT', body: JSON.stringify({ pendingMs: 0 }) });
    expect(await set.json()).toEqual({ pendingMs: 0, lambdaCodeStorageBytes: 75 * 1024 ** 3 });
    expect((await fetch(`${emu.url}/__emulator/deployment`, { method: 'PUT', body: JSON.stringify({ pendingMS: 1 }) })).status).toBe(400);
    const c = lambda(deployer);
    expect((await c.send(new CreateFunctionCommand(spec('udf-now')))).State).toBe('Active');
    expect(await invokeJson(c, 'udf-now')).toEqual({ version: 1 });
  });

  it('takes the package inline (ZipFile) as well', async () => {
    const c = lambda(deployer);
    const created = await c.send(new CreateFunctionCommand(spec('udf-inline', undefined, { Code: { ZipFile: V2 } })));
    expect(created.CodeSha256).toBe(base64Sha256(V2));
    emu.admin.completeDeployments();
    expect(await invokeJson(c, 'udf-inline')).toEqual({ version: 2 });
  });

  it('refuses to create a function that exists, in Lambda words', async () => {
    const c = lambda(deployer);
    await c.send(new CreateFunctionCommand(spec('udf-twice')));
    expect(await failure(c.send(new CreateFunctionCommand(spec('udf-twice'))))).toEqual({ name: 'ResourceConflictException', status: 409, message: 'Function already exist: udf-twice' });
  });

  it('a package whose emulator.json is unreadable is accepted, and the function ends Failed', async () => {
    emu.admin.putObject({ bucket: BUCKET, key: 'code/broken.zip', body: buildPackage({ type: 'echo' }, { 'emulator.json': 'not json' }).toString('base64'), base64: true });
    const c = lambda(deployer);
    expect((await c.send(new CreateFunctionCommand(spec('udf-broken', 'code/broken.zip')))).State).toBe('Pending');
    emu.admin.completeDeployments();
    const failed = await c.send(new GetFunctionConfigurationCommand({ FunctionName: 'udf-broken' }));
    expect(failed).toMatchObject({ State: 'Failed', StateReasonCode: 'InvalidConfiguration', StateReason: expect.stringContaining('emulator.json') });
    expect(await failure(invokeJson(c, 'udf-broken'))).toMatchObject({ name: 'ResourceConflictException', message: expect.stringContaining('state: Failed') });
  });
});

describe('Lambda deployment: updates', () => {
  async function activeFunction(c: LambdaClient, name: string): Promise<void> {
    await c.send(new CreateFunctionCommand(spec(name)));
    emu.admin.completeDeployments();
  }

  it('UpdateFunctionCode: InProgress runs the old code, further updates conflict, then the new code runs', async () => {
    const c = lambda(deployer);
    await activeFunction(c, 'udf-up');
    const updating = await c.send(new UpdateFunctionCodeCommand({ FunctionName: 'udf-up', S3Bucket: BUCKET, S3Key: 'code/v2.zip' }));
    expect(updating).toMatchObject({ State: 'Active', LastUpdateStatus: 'InProgress', CodeSha256: base64Sha256(V2), CodeSize: V2.length });
    expect(await invokeJson(c, 'udf-up')).toEqual({ version: 1 });
    const busy = await failure(c.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'udf-up', MemorySize: 512 })));
    expect(busy).toMatchObject({ name: 'ResourceConflictException', status: 409, message: expect.stringContaining('An update is in progress for resource: arn:aws:lambda:') });
    expect(await failure(c.send(new UpdateFunctionCodeCommand({ FunctionName: 'udf-up', S3Bucket: BUCKET, S3Key: 'code/v1.zip' })))).toMatchObject({ name: 'ResourceConflictException' });
    expect(await failure(c.send(new PublishVersionCommand({ FunctionName: 'udf-up' })))).toMatchObject({ name: 'ResourceConflictException' });

    emu.admin.completeDeployments();
    expect((await c.send(new GetFunctionConfigurationCommand({ FunctionName: 'udf-up' }))).LastUpdateStatus).toBe('Successful');
    expect(await invokeJson(c, 'udf-up')).toEqual({ version: 2 });
  });

  it('updates while the function is still being created conflict', async () => {
    const c = lambda(deployer);
    await c.send(new CreateFunctionCommand(spec('udf-new')));
    const busy = await failure(c.send(new UpdateFunctionCodeCommand({ FunctionName: 'udf-new', S3Bucket: BUCKET, S3Key: 'code/v2.zip' })));
    expect(busy).toMatchObject({ name: 'ResourceConflictException', message: expect.stringContaining('state: Pending') });
  });

  it('UpdateFunctionConfiguration rewrites runtime, handler, memory, timeout and replaces the environment', async () => {
    const c = lambda(deployer);
    await activeFunction(c, 'udf-conf');
    const out = await c.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'udf-conf', Runtime: 'nodejs22.x', Handler: 'main.run', MemorySize: 1024, Timeout: 120, Environment: { Variables: { OTHER: '1' } } }));
    expect(out).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'main.run', MemorySize: 1024, Timeout: 120, Environment: { Variables: { OTHER: '1' } }, LastUpdateStatus: 'InProgress' });
    emu.admin.completeDeployments();
    const read = await c.send(new GetFunctionConfigurationCommand({ FunctionName: 'udf-conf' }));
    expect(read).toMatchObject({ Runtime: 'nodejs22.x', MemorySize: 1024, LastUpdateStatus: 'Successful', CodeSha256: base64Sha256(V1) });
    // The code did not change: still the first package.
    expect(await invokeJson(c, 'udf-conf')).toEqual({ version: 1 });
  });

  it('an update whose package cannot be configured fails and keeps the old code', async () => {
    emu.admin.putObject({ bucket: BUCKET, key: 'code/broken.zip', body: buildPackage({ type: 'echo' }, { 'emulator.json': '[]' }).toString('base64'), base64: true });
    const c = lambda(deployer);
    await activeFunction(c, 'udf-keep');
    await c.send(new UpdateFunctionCodeCommand({ FunctionName: 'udf-keep', S3Bucket: BUCKET, S3Key: 'code/broken.zip' }));
    emu.admin.completeDeployments();
    const read = await c.send(new GetFunctionConfigurationCommand({ FunctionName: 'udf-keep' }));
    expect(read).toMatchObject({ State: 'Active', LastUpdateStatus: 'Failed', LastUpdateStatusReasonCode: 'InvalidConfiguration', CodeSha256: base64Sha256(V1) });
    expect(await invokeJson(c, 'udf-keep')).toEqual({ version: 1 });
  });

  it('publishes versions that keep their code; nothing changed means the same version; a stale CodeSha256 is refused', async () => {
    const c = lambda(deployer);
    await activeFunction(c, 'udf-ver');
    const v1 = await c.send(new PublishVersionCommand({ FunctionName: 'udf-ver', CodeSha256: base64Sha256(V1) }));
    expect(v1).toMatchObject({ Version: '1', FunctionArn: `arn:aws:lambda:${REGION}:${CUSTOMER}:function:udf-ver:1`, CodeSha256: base64Sha256(V1) });
    expect(v1.$metadata.httpStatusCode).toBe(201);
    expect((await c.send(new PublishVersionCommand({ FunctionName: 'udf-ver' }))).Version).toBe('1');

    await c.send(new UpdateFunctionCodeCommand({ FunctionName: 'udf-ver', S3Bucket: BUCKET, S3Key: 'code/v2.zip' }));
    emu.admin.completeDeployments();
    const stale = await failure(c.send(new PublishVersionCommand({ FunctionName: 'udf-ver', CodeSha256: base64Sha256(V1) })));
    expect(stale).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('is different from current CodeSHA256') });
    expect((await c.send(new PublishVersionCommand({ FunctionName: 'udf-ver' }))).Version).toBe('2');
    expect(await invokeJson(c, 'udf-ver', '1')).toEqual({ version: 1 });
    expect(await invokeJson(c, 'udf-ver', '2')).toEqual({ version: 2 });
    expect((await c.send(new GetFunctionCommand({ FunctionName: 'udf-ver', Qualifier: '1' }))).Configuration?.CodeSha256).toBe(base64Sha256(V1));
  });

  it('deletes a version, then the function', async () => {
    const c = lambda(deployer);
    await activeFunction(c, 'udf-gone');
    await c.send(new PublishVersionCommand({ FunctionName: 'udf-gone' }));
    expect(await failure(c.send(new DeleteFunctionCommand({ FunctionName: 'udf-gone', Qualifier: '$LATEST' })))).toMatchObject({ name: 'InvalidParameterValueException' });
    const dropped = await c.send(new DeleteFunctionCommand({ FunctionName: 'udf-gone', Qualifier: '1' }));
    expect(dropped.$metadata.httpStatusCode).toBe(204);
    expect(await failure(c.send(new GetFunctionCommand({ FunctionName: 'udf-gone', Qualifier: '1' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    await c.send(new DeleteFunctionCommand({ FunctionName: 'udf-gone' }));
    expect(await failure(c.send(new GetFunctionCommand({ FunctionName: 'udf-gone' })))).toEqual({ name: 'ResourceNotFoundException', status: 404, message: `Function not found: arn:aws:lambda:${REGION}:${CUSTOMER}:function:udf-gone` });
    expect(await failure(c.send(new DeleteFunctionCommand({ FunctionName: 'udf-gone' })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('lists functions page by page (Marker / MaxItems)', async () => {
    const c = lambda(deployer);
    for (const name of ['udf-c', 'udf-a', 'udf-b']) await c.send(new CreateFunctionCommand(spec(name)));
    const first = await c.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(first.Functions?.map((f) => f.FunctionName)).toEqual(['udf-a', 'udf-b']);
    expect(first.Functions?.[0]?.State).toBe('Pending');
    const second = await c.send(new ListFunctionsCommand({ MaxItems: 2, Marker: first.NextMarker }));
    expect(second.Functions?.map((f) => f.FunctionName)).toEqual(['udf-c']);
    expect(second.NextMarker).toBeUndefined();
    expect(await failure(c.send(new ListFunctionsCommand({ MaxItems: 0 })))).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("'maxItems'") });
  });

  it('counts every call under aws:lambda:<Action>', async () => {
    const c = lambda(deployer);
    emu.admin.reset('counters');
    await c.send(new CreateFunctionCommand(spec('udf-count')));
    await c.send(new GetFunctionCommand({ FunctionName: 'udf-count' }));
    emu.admin.completeDeployments();
    await c.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'udf-count', Timeout: 10 }));
    expect(emu.admin.counters().calls).toMatchObject({ 'aws:lambda:CreateFunction': 1, 'aws:lambda:GetFunction': 1, 'aws:lambda:UpdateFunctionConfiguration': 1 });
    expect(emu.admin.counters().calls['aws:lambda:UpdateFunctionCode']).toBeUndefined();
  });
});

describe('Lambda deployment: refusals', () => {
  it('PassRole: refused without iam:PassRole, or when it is granted for another service only', async () => {
    const noPass = lambda(user('no-pass', [LAMBDA_ALL, READ_CODE]));
    const denied = await failure(noPass.send(new CreateFunctionCommand(spec('udf-np'))));
    expect(denied).toEqual({ name: 'AccessDeniedException', status: 403, message: `User: arn:aws:iam::${CUSTOMER}:user/no-pass is not authorized to perform: iam:PassRole on resource: ${EXEC_ROLE} because no identity-based policy allows the iam:PassRole action` });
    const ec2Only = { ...PASS_EXEC, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } };
    const wrongService = lambda(user('ec2-pass', [LAMBDA_ALL, READ_CODE, ec2Only]));
    expect(await failure(wrongService.send(new CreateFunctionCommand(spec('udf-np'))))).toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('iam:PassRole') });
    // PassRole is checked on configuration updates that name a role, too.
    await lambda(deployer).send(new CreateFunctionCommand(spec('udf-np')));
    emu.admin.completeDeployments();
    expect(await failure(noPass.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'udf-np', Role: EXEC_ROLE })))).toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('iam:PassRole') });
  });

  it('an execution role that does not trust Lambda, or does not exist, cannot be assumed', async () => {
    const c = lambda(deployer);
    const expected = { name: 'InvalidParameterValueException', status: 400, message: 'The role defined for the function cannot be assumed by Lambda.' };
    expect(await failure(c.send(new CreateFunctionCommand(spec('udf-r', undefined, { Role: EC2_ROLE }))))).toEqual(expected);
    const pass = { ...PASS_EXEC, Resource: `arn:aws:iam::${CUSTOMER}:role/*` };
    const wide = lambda(user('wide', [LAMBDA_ALL, READ_CODE, pass]));
    expect(await failure(wide.send(new CreateFunctionCommand(spec('udf-r', undefined, { Role: `arn:aws:iam::${CUSTOMER}:role/missing` }))))).toEqual(expected);
  });

  it('reads the package with the caller’s own S3 permissions: missing key, missing bucket, no s3:GetObject', async () => {
    const c = lambda(deployer);
    expect(await failure(c.send(new CreateFunctionCommand(spec('udf-k', 'code/none.zip'))))).toEqual({
      name: 'InvalidParameterValueException',
      status: 400,
      message: 'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.',
    });
    expect(await failure(c.send(new CreateFunctionCommand(spec('udf-k', undefined, { Code: { S3Bucket: 'no-such-bucket', S3Key: 'x.zip' } }))))).toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('S3 Error Code: NoSuchBucket'),
    });
    const noRead = lambda(user('no-read', [LAMBDA_ALL, PASS_EXEC]));
    expect(await failure(noRead.send(new CreateFunctionCommand(spec('udf-k'))))).toMatchObject({
      name: 'AccessDeniedException',
      status: 403,
      message: expect.stringContaining(`Your access has been denied by S3, please make sure your request credentials have permission to GetObject for ${BUCKET}/code/v1.zip`),
    });
    // Without s3:ListBucket, S3 does not admit that a key is missing: Lambda reports access denied.
    const noList = lambda(user('no-list', [LAMBDA_ALL, PASS_EXEC, READ_CODE]));
    expect(await failure(noList.send(new CreateFunctionCommand(spec('udf-k', 'code/none.zip'))))).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('names the field of a bad runtime, handler, memory size or timeout; refuses retired runtimes and non-zip packages', async () => {
    const c = lambda(deployer);
    const bad = async (extra: Partial<CreateFunctionCommandInput>): Promise<Failure> => failure(c.send(new CreateFunctionCommand(spec('udf-bad', undefined, extra))));
    expect(await bad({ Runtime: 'python9' as never })).toMatchObject({ name: 'ValidationException', status: 400, message: expect.stringContaining("Value 'python9' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set") });
    expect(await bad({ Handler: 'has space' })).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'handler'") });
    expect(await bad({ MemorySize: 64 })).toMatchObject({ name: 'ValidationException', message: "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128" });
    expect(await bad({ MemorySize: 20_000, Timeout: 901 })).toMatchObject({ message: expect.stringMatching(/^2 validation errors detected: .*'memorySize'.*less than or equal to 10240; .*'timeout'.*less than or equal to 900$/) });
    expect(await bad({ Runtime: 'python2.7' })).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('The runtime parameter of python2.7 is no longer supported') });
    expect(await bad({ Environment: { Variables: { AWS_REGION: 'x' } } })).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Reserved keys used in this request: AWS_REGION') });
    putPackage('code/not-a-zip.zip', Buffer.from('plain text'));
    expect(await bad({ Code: { S3Bucket: BUCKET, S3Key: 'code/not-a-zip.zip' } })).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Could not unzip uploaded file') });
    expect(await bad({ Role: 'not-an-arn' })).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'role'") });
    expect(emu.admin.functions()).toEqual([]);
  });

  it('needs lambda:<Action> on the function ARN, and still verifies signatures', async () => {
    const readOnly = lambda(user('reader', [{ Effect: 'Allow', Action: 'lambda:GetFunction', Resource: FN_ARNS }, PASS_EXEC, READ_CODE]));
    expect(await failure(readOnly.send(new CreateFunctionCommand(spec('udf-x'))))).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`lambda:CreateFunction on resource: arn:aws:lambda:${REGION}:${CUSTOMER}:function:udf-x`),
    });
    expect(await failure(lambda({ ...deployer, secretAccessKey: 'wrong' }).send(new CreateFunctionCommand(spec('udf-x'))))).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    const other = await failure(lambda(deployer).send(new CreateFunctionCommand(spec('other-fn'))));
    expect(other).toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('lambda:CreateFunction') });
  });

  it('answers CodeStorageExceededException once the code storage quota is used up', async () => {
    emu.admin.configureDeployment({ lambdaCodeStorageBytes: V1.length + 10 });
    const c = lambda(deployer);
    await c.send(new CreateFunctionCommand(spec('udf-q1')));
    expect(await failure(c.send(new CreateFunctionCommand(spec('udf-q2'))))).toEqual({ name: 'CodeStorageExceededException', status: 400, message: 'Code storage limit exceeded.' });
    // Replacing a function's own code does not count its old package twice.
    emu.admin.completeDeployments();
    await expect(c.send(new UpdateFunctionCodeCommand({ FunctionName: 'udf-q1', S3Bucket: BUCKET, S3Key: 'code/v1.zip' }))).resolves.toMatchObject({ LastUpdateStatus: 'InProgress' });
  });
});

describe('S3 uploads for deployment', () => {
  it('keeps x-amz-meta-* metadata (HeadObject and GetObject return it) on a streamed upload', async () => {
    const c = s3(deployer);
    const sha = createHash('sha256').update(V2).digest('hex');
    await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'code/streamed.zip', Body: Readable.from([V2]), ContentLength: V2.length, ContentType: 'application/zip', Metadata: { 'tether-sha256': sha } }));
    const head = await c.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'code/streamed.zip' }));
    expect(head).toMatchObject({ ContentLength: V2.length, ContentType: 'application/zip', Metadata: { 'tether-sha256': sha } });
    const got = await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'code/streamed.zip' }));
    expect(got.Metadata).toEqual({ 'tether-sha256': sha });
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(V2)).toBe(true);
  });

  it('verifies an x-amz-checksum-sha256 it is given (BadDigest), and accepts the SDK’s default checksum', async () => {
    const c = s3(deployer);
    await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'code/checked.zip', Body: V1, ChecksumSHA256: base64Sha256(V1) }));
    const wrong = await failure(c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'code/checked.zip', Body: V1, ChecksumSHA256: base64Sha256(V2) })));
    expect(wrong).toMatchObject({ name: 'BadDigest', status: 400, message: 'The SHA256 you specified did not match the calculated checksum.' });
    await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'code/default.zip', Body: Readable.from([V2]), ContentLength: V2.length }));
    const got = await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'code/default.zip' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(V2)).toBe(true);
  });

  it('refuses a streamed body whose trailing CRC-32 does not match', () => {
    const chunked = Buffer.from(`5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${crc32(Buffer.from('world')).toString('base64')}\r\n\r\n`);
    const req = { method: 'PUT', rawPath: '/b/k', rawQuery: '', query: [], headers: { 'content-encoding': 'aws-chunked' }, body: chunked };
    const payload = uploadPayload(req);
    expect(payload.body.toString()).toBe('hello');
    expect(checkChecksums(req, payload).mismatch).toBe('CRC32');
    expect(checkChecksums(req, { ...payload, trailers: { 'x-amz-checksum-crc32': crc32(Buffer.from('hello')).toString('base64') } }).mismatch).toBeUndefined();
  });

  it('needs s3:PutObject on the key', async () => {
    const c = s3(user('reader-only', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }]));
    expect(await failure(c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'code/x.zip', Body: V1 })))).toMatchObject({ name: 'AccessDenied', status: 403 });
  });
});
