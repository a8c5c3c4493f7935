import COS from 'cos-nodejs-sdk-v5';
import { sts } from 'tencentcloud-sdk-nodejs/tencentcloud/services/sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type PlatformSeed, startEmulator } from './index';

const CUSTOMER = '200000000002';
const APPID = '1250000000';
const REGION = 'ap-guangzhou';
const BUCKET = `code-${APPID}`;
const OTHER_BUCKET = `other-${APPID}`;
const EXTERNAL_ID = 'tether-tc-0123456789abcdef';
const ROLE = `qcs::cam::uin/${CUSTOMER}:roleName/tether`;

// cos-request (the SDK's HTTP client) honours proxy variables.
for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY']) delete process.env[name];

let emu: Emulator;
let seed: PlatformSeed;

interface Keys {
  SecretId: string;
  SecretKey: string;
  SecurityToken?: string;
}

/** The real SDK, sending to the emulator's address with the Host COS expects (`<bucket>.cos.<region>.myqcloud.com`). */
function cos(keys: Keys, extra: Partial<COS.COSOptions> = {}): COS {
  return new COS({ ...keys, Ip: emu.hostPort, Protocol: 'http:', ...extra });
}

interface CosFailure {
  code?: string;
  statusCode?: number;
  error?: { Code?: string; Message?: string; RequestId?: string; Resource?: string };
}

async function failure(promise: Promise<unknown>): Promise<CosFailure> {
  try {
    await promise;
  } catch (error) {
    return error as CosFailure;
  }
  throw new Error('expected the call to fail');
}

async function assume(): Promise<Keys> {
  const client = new sts.v20180813.Client({ credential: { secretId: seed.tencent.accessKeyId, secretKey: seed.tencent.secret }, region: REGION, profile: { httpProfile: { endpoint: emu.hostPort, protocol: 'http://' } } });
  const out = await client.AssumeRole({ RoleArn: ROLE, RoleSessionName: 'cos-test', ExternalId: EXTERNAL_ID, DurationSeconds: 900 });
  return { SecretId: out.Credentials!.TmpSecretId!, SecretKey: out.Credentials!.TmpSecretKey!, SecurityToken: out.Credentials!.Token! };
}

const list = (client: COS, extra: Partial<COS.GetBucketParams> = {}): Promise<COS.GetBucketResult> => client.getBucket({ Bucket: BUCKET, Region: REGION, ...extra });

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  emu.admin.createAccount({ cloud: 'tencent', id: CUSTOMER, appId: APPID });
  // The code-bucket statement exactly as src/trust-policies/render/tencent.ts renders it for deploying.
  const bucketStatement = { effect: 'allow', action: ['name/cos:GetBucket', 'name/cos:GetObject', 'name/cos:HeadBucket', 'name/cos:HeadObject', 'name/cos:PutObject'], resource: [`qcs::cos:${REGION}:uid/${APPID}:${BUCKET}/*`] };
  emu.admin.createRole({
    cloud: 'tencent',
    account: CUSTOMER,
    name: 'tether',
    trustPolicy: { version: '2.0', statement: [{ action: 'name/sts:AssumeRole', effect: 'allow', principal: { qcs: [seed.tencent.principal] }, condition: { string_equal: { 'sts:external_id': EXTERNAL_ID } } }] },
    permissionPolicies: [{ version: '2.0', statement: [bucketStatement] }],
  });
  emu.admin.createBucket({ cloud: 'tencent', account: CUSTOMER, name: BUCKET, region: REGION });
  emu.admin.createBucket({ cloud: 'tencent', account: CUSTOMER, name: OTHER_BUCKET, region: REGION });
});

describe('COS emulator: signatures and credentials (cos-nodejs-sdk-v5 as the client)', () => {
  it('accepts a correctly signed request with temporary keys and their security token', async () => {
    const out = await list(cos(await assume()));
    expect(out.statusCode).toBe(200);
    expect(out.Name).toBe(BUCKET);
    expect(out.RequestId).toBeTruthy();
    expect(emu.admin.counters().calls['tencent:cos:GetBucket']).toBe(1);
  });

  it('refuses a changed secret with SignatureDoesNotMatch and an unknown key with InvalidAccessKeyId', async () => {
    const keys = await assume();
    const changed = await failure(list(cos({ ...keys, SecretKey: `${keys.SecretKey.slice(0, -1)}x` })));
    expect(changed).toMatchObject({ statusCode: 403, code: 'SignatureDoesNotMatch', error: { Code: 'SignatureDoesNotMatch', RequestId: expect.any(String), Resource: `${BUCKET}.cos.${REGION}.myqcloud.com/` } });
    const unknown = await failure(list(cos({ SecretId: 'AKIDunknown0000000000000000000000001', SecretKey: 'x'.repeat(32) })));
    expect(unknown).toMatchObject({ statusCode: 403, code: 'InvalidAccessKeyId' });
  });

  it('refuses a stale sign time with "Request has expired"; the SDK recovers when it may correct its clock', async () => {
    const keys = await assume();
    const stale = await failure(list(cos(keys, { SystemClockOffset: -3600_000, CorrectClockSkew: false })));
    expect(stale).toMatchObject({ statusCode: 403, code: 'AccessDenied', error: { Message: 'Request has expired' } });
    const future = await failure(list(cos(keys, { SystemClockOffset: 3600_000, CorrectClockSkew: false })));
    expect(future).toMatchObject({ statusCode: 403, code: 'RequestTimeTooSkewed' });

    emu.admin.reset('counters');
    // The SDK reads the refusal's Date header, corrects its offset and signs again.
    expect((await list(cos(keys, { SystemClockOffset: -3600_000 }))).statusCode).toBe(200);
    expect(emu.admin.counters().calls['tencent:cos:GetBucket']).toBe(2);
  });

  it('refuses temporary keys without their security token, with another one, or expired', async () => {
    const keys = await assume();
    const { SecurityToken: _token, ...withoutToken } = keys;
    expect(await failure(list(cos(withoutToken)))).toMatchObject({ statusCode: 400, code: 'InvalidToken' });
    const other = await assume();
    expect(await failure(list(cos({ ...keys, SecurityToken: other.SecurityToken! })))).toMatchObject({ statusCode: 400, code: 'InvalidToken' });
    emu.admin.advanceClock(901);
    expect(await failure(list(cos(keys)))).toMatchObject({ statusCode: 400, code: 'ExpiredToken', error: { Message: 'The provided token has expired.' } });
  });
});

describe('COS emulator: objects and listings', () => {
  it('puts a streamed object with x-cos-meta-* metadata; HEAD and GET return it', async () => {
    const client = cos(await assume());
    const body = Buffer.from('PK\u0003\u0004 not really a zip');
    const { Readable } = await import('node:stream');
    const put = await client.putObject({ Bucket: BUCKET, Region: REGION, Key: 'pkgs/udf v1.zip', Body: Readable.from([body]), ContentLength: body.length, ContentType: 'application/zip', Headers: { 'x-cos-meta-tether-sha256': 'ab'.repeat(32) } });
    expect(put.statusCode).toBe(200);
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);

    const head = await client.headObject({ Bucket: BUCKET, Region: REGION, Key: 'pkgs/udf v1.zip' });
    expect(head.headers).toMatchObject({ 'content-length': String(body.length), 'content-type': 'application/zip', 'x-cos-meta-tether-sha256': 'ab'.repeat(32), etag: put.ETag });
    const got = await client.getObject({ Bucket: BUCKET, Region: REGION, Key: 'pkgs/udf v1.zip' });
    expect(Buffer.compare(got.Body as Buffer, body)).toBe(0);

    const missing = await failure(client.headObject({ Bucket: BUCKET, Region: REGION, Key: 'pkgs/none.zip' }));
    expect(missing.statusCode).toBe(404);
    expect(await failure(client.getObject({ Bucket: BUCKET, Region: REGION, Key: 'pkgs/none.zip' }))).toMatchObject({ statusCode: 404, code: 'NoSuchKey' });
  });

  it('lists with prefix, max-keys and marker pages', async () => {
    for (const key of ['a/1.zip', 'a/2.zip', 'a/3.zip', 'b/1.zip']) emu.admin.putObject({ cloud: 'tencent', bucket: BUCKET, key, body: key });
    const client = cos(await assume());
    const first = await list(client, { Prefix: 'a/', MaxKeys: 2 });
    expect(first.Contents.map((c) => c.Key)).toEqual(['a/1.zip', 'a/2.zip']);
    expect(first).toMatchObject({ IsTruncated: 'true', NextMarker: 'a/2.zip' });
    expect(first.Contents[0]).toMatchObject({ Size: '7', StorageClass: 'STANDARD' });
    const second = await list(client, { Prefix: 'a/', MaxKeys: 2, Marker: first.NextMarker });
    expect(second.Contents.map((c) => c.Key)).toEqual(['a/3.zip']);
    expect(second.IsTruncated).toBe('false');
  });

  it('evaluates CAM: another bucket, a missing bucket and a bare role are refused with COS codes', async () => {
    const client = cos(await assume());
    expect(await failure(client.getBucket({ Bucket: OTHER_BUCKET, Region: REGION }))).toMatchObject({ statusCode: 403, code: 'AccessDenied' });
    expect(await failure(client.putObject({ Bucket: OTHER_BUCKET, Region: REGION, Key: 'x.zip', Body: Buffer.from('x') }))).toMatchObject({ statusCode: 403, code: 'AccessDenied' });
    expect(await failure(client.getBucket({ Bucket: `missing-${APPID}`, Region: REGION }))).toMatchObject({ statusCode: 404, code: 'NoSuchBucket' });
    // The bucket lives in ap-guangzhou; another region's endpoint does not know it.
    expect(await failure(client.getBucket({ Bucket: BUCKET, Region: 'ap-shanghai' }))).toMatchObject({ statusCode: 404, code: 'NoSuchBucket' });
    emu.admin.putPermissionPolicies({ cloud: 'tencent', roleArn: ROLE, permissionPolicies: [] });
    expect(await failure(list(cos(await assume())))).toMatchObject({ statusCode: 403, code: 'AccessDenied' });
  });

  it('insists on the account APPID in bucket names, and answers faults in the COS shape', async () => {
    expect(() => emu.admin.createBucket({ cloud: 'tencent', account: CUSTOMER, name: 'code-1259999999', region: REGION })).toThrow(/APPID|<name>-1250000000/);
    const client = cos(await assume());
    // The SDK retries a 5xx on its own: one fault is absorbed, a lasting one comes through.
    emu.admin.addFault({ cloud: 'tencent', service: 'cos', action: 'GetBucket', code: 'SlowDown', status: 503, times: 1 });
    expect((await list(client)).statusCode).toBe(200);
    emu.admin.clearFaults();
    emu.admin.addFault({ cloud: 'tencent', service: 'cos', action: 'GetBucket', code: 'SlowDown', status: 503 });
    expect(await failure(list(client))).toMatchObject({ statusCode: 503, code: 'SlowDown', error: { Code: 'SlowDown', RequestId: expect.any(String) } });
  });
});
