import { Readable } from 'node:stream';
import OSS from 'ali-oss';
import Sts, { AssumeRoleRequest } from '@alicloud/sts20150401';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { crc64 } from './core/crc64';
import { type Emulator, type PlatformSeed, startEmulator } from './index';

const CUSTOMER = '2222222222222222';
const REGION = 'cn-hangzhou';
const BUCKET = 'udf-code';
const EXTERNAL_ID = 'tether-oss-0123456789abcdef';
const ROLE = `acs:ram::${CUSTOMER}:role/tether`;

interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  stsToken?: string;
}

let emu: Emulator;
let seed: PlatformSeed;
let user: Creds;

/**
 * The client Tether uses, V4 by default. With the emulator's IP endpoint ali-oss keeps the bucket in
 * `Host: <bucket>.oss-<region>.aliyuncs.com`; with a host name and `sldEnable` it sends `/<bucket>/<key>`.
 */
function oss(creds: Creds, extra: Partial<OSS.Options> & { sldEnable?: boolean; amendTimeSkewed?: number } = {}): OSS {
  const endpoint = extra.sldEnable ? `http://localhost:${emu.port}` : emu.url;
  return new OSS({ ...creds, region: `oss-${REGION}`, bucket: BUCKET, endpoint, authorizationV4: true, refreshSTSTokenInterval: 3_600_000, ...extra } as OSS.Options);
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; status?: number; name?: string; message: string; requestId?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; status?: number; name?: string; message: string; requestId?: string };
  }
  throw new Error('expected the call to fail');
}

async function assumed(permission: unknown): Promise<Creds> {
  emu.admin.createRole({ cloud: 'aliyun', account: CUSTOMER, name: 'tether', trustPolicy: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [seed.aliyun.principal] }, Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } }] }, permissionPolicies: [permission] });
  const sts = new Sts(new $OpenApiUtil.Config({ accessKeyId: seed.aliyun.accessKeyId, accessKeySecret: seed.aliyun.secret, endpoint: emu.hostPort, protocol: 'http', regionId: REGION }));
  const out = await sts.assumeRole(new AssumeRoleRequest({ roleArn: ROLE, roleSessionName: 'oss-test', externalId: EXTERNAL_ID, durationSeconds: 900 }));
  const c = out.body!.credentials!;
  return { accessKeyId: c.accessKeyId!, accessKeySecret: c.accessKeySecret!, stsToken: c.securityToken! };
}

const rendered = (actions: { bucket: string[]; objects: string[] }) => ({
  Version: '1',
  Statement: [
    ...(actions.bucket.length ? [{ Effect: 'Allow', Action: actions.bucket, Resource: `acs:oss:*:${CUSTOMER}:${BUCKET}` }] : []),
    ...(actions.objects.length ? [{ Effect: 'Allow', Action: actions.objects, Resource: `acs:oss:*:${CUSTOMER}:${BUCKET}/*` }] : []),
  ],
});

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  emu.admin.createAccount({ cloud: 'aliyun', id: CUSTOMER });
  emu.admin.createBucket({ cloud: 'aliyun', account: CUSTOMER, name: BUCKET, region: REGION });
  const keys = emu.admin.createUser({ cloud: 'aliyun', account: CUSTOMER, name: 'deployer', policies: [rendered({ bucket: ['oss:ListObjects'], objects: ['oss:GetObject', 'oss:PutObject'] })] });
  user = { accessKeyId: keys.accessKeyId, accessKeySecret: keys.secret };
});

describe('OSS signatures', () => {
  it.each([
    ['V4 (OSS4-HMAC-SHA256)', { authorizationV4: true }],
    ['V1 (OSS ak:signature)', { authorizationV4: false }],
    ['V4, path style', { authorizationV4: true, sldEnable: true }],
    ['V1, path style', { authorizationV4: false, sldEnable: true }],
  ])('accepts a correctly signed %s request from ali-oss', async (_, options) => {
    const client = oss(user, options);
    const body = Buffer.from('package bytes');
    const put = await client.put('udf/a b+c.zip', body, { meta: { 'tether-sha256': 'abc' } } as unknown as OSS.PutObjectOptions);
    expect(put.res.status).toBe(200);
    expect((put.res.headers as Record<string, string>)['x-oss-hash-crc64ecma']).toBe(crc64(body));
    const head = await client.head('udf/a b+c.zip');
    expect(head.meta).toEqual({ 'tether-sha256': 'abc' });
    const got = await client.get('udf/a b+c.zip');
    expect(Buffer.from(got.content as Buffer).toString()).toBe('package bytes');
    const listed = await client.listV2({ prefix: 'udf/', 'max-keys': '10' }, {});
    expect(listed.objects.map((o) => o.name)).toEqual(['udf/a b+c.zip']);
  });

  it('refuses a changed secret, a stale date and an unknown key in OSS words', async () => {
    const wrong = await failure(oss({ ...user, accessKeySecret: `${user.accessKeySecret}x` }).head('missing.zip'));
    expect(wrong).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    const wrongV1 = await failure(oss({ ...user, accessKeySecret: 'not-the-secret' }, { authorizationV4: false }).listV2({}, {}));
    expect(wrongV1).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(wrongV1.requestId).toMatch(/^[0-9A-F]{24}$/);
    const stale = await failure(oss(user, { amendTimeSkewed: -16 * 60_000 }).listV2({}, {}));
    expect(stale).toMatchObject({ status: 403, code: 'RequestTimeTooSkewed' });
    // Within 15 minutes is fine.
    await expect(oss(user, { amendTimeSkewed: -14 * 60_000 }).listV2({}, {})).resolves.toBeDefined();
    const unknown = await failure(oss({ accessKeyId: 'LTAInobodyHasThisKey000', accessKeySecret: 'x' }).listV2({}, {}));
    expect(unknown).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
  });

  it('refuses STS keys without their security token, with a wrong one, and once expired', async () => {
    const sts = await assumed(rendered({ bucket: ['oss:ListObjects'], objects: ['oss:GetObject', 'oss:PutObject'] }));
    await expect(oss(sts).listV2({}, {})).resolves.toMatchObject({ keyCount: 0 });
    const { stsToken: _, ...withoutToken } = sts;
    expect(await failure(oss(withoutToken).listV2({}, {}))).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
    expect(await failure(oss({ ...sts, stsToken: 'CAISforged' }).listV2({}, {}))).toMatchObject({ status: 403, code: 'InvalidSecurityToken' });
    emu.admin.advanceClock(901);
    expect(await failure(oss(sts).listV2({}, {}))).toMatchObject({ status: 403, code: 'SecurityTokenExpired' });
    expect(await failure(oss(sts, { authorizationV4: false }).listV2({}, {}))).toMatchObject({ status: 403, code: 'SecurityTokenExpired' });
  });
});

describe('OSS objects and permissions', () => {
  it('streams a put with its size and metadata; head and list report it; a missing key is NoSuchKey', async () => {
    const client = oss(user);
    const body = Buffer.alloc(200_000, 7);
    await client.putStream('udf/big.zip', Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]), { contentLength: body.length, mime: 'application/zip', meta: { 'tether-sha256': 'f00d' } } as unknown as OSS.PutStreamOptions);
    const head = await client.head('udf/big.zip');
    expect(head.meta).toEqual({ 'tether-sha256': 'f00d' });
    expect((head.res.headers as Record<string, string>)['content-length']).toBe('200000');
    expect((head.res.headers as Record<string, string>)['content-type']).toBe('application/zip');
    expect(await failure(client.head('udf/none.zip'))).toMatchObject({ status: 404, code: 'NoSuchKey' });
    expect(await failure(client.get('udf/none.zip'))).toMatchObject({ status: 404, code: 'NoSuchKey' });
    expect(emu.admin.counters().calls['aliyun:oss:PutObject']).toBe(1);
  });

  it('pages ListObjectsV2 with continuation tokens and filters by prefix; ListObjects (V1) too', async () => {
    const client = oss(user);
    for (const key of ['a/1', 'a/2', 'a/3', 'b/1', 'a/4']) emu.admin.putObject({ cloud: 'aliyun', bucket: BUCKET, key, body: key });
    const first = await client.listV2({ prefix: 'a/', 'max-keys': '3' }, {});
    expect(first.objects.map((o) => o.name)).toEqual(['a/1', 'a/2', 'a/3']);
    expect(first.isTruncated).toBe(true);
    const second = await client.listV2({ prefix: 'a/', 'max-keys': '3', 'continuation-token': first.nextContinuationToken! }, {});
    expect(second.objects.map((o) => ({ name: o.name, size: o.size }))).toEqual([{ name: 'a/4', size: 3 }]);
    expect(second.isTruncated).toBe(false);
    // V1 signs the continuation token as a sub-resource: the same paging works there.
    const v1 = await oss(user, { authorizationV4: false }).listV2({ prefix: 'a/', 'max-keys': '3', 'continuation-token': first.nextContinuationToken! }, {});
    expect(v1.objects.map((o) => o.name)).toEqual(['a/4']);
    const legacy = await client.list({ prefix: 'a/', 'max-keys': 2 }, {});
    expect(legacy.objects.map((o) => o.name)).toEqual(['a/1', 'a/2']);
    expect(legacy.nextMarker).toBe('a/2');
    const bad = await failure(client.listV2({ 'max-keys': '5000' }, {}));
    expect(bad).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it('evaluates oss:PutObject, oss:GetObject and oss:ListObjects on the rendered resources', async () => {
    emu.admin.putObject({ cloud: 'aliyun', bucket: BUCKET, key: 'udf/a.zip', body: 'x' });
    const readOnly = await assumed(rendered({ bucket: [], objects: ['oss:GetObject'] }));
    const client = oss(readOnly);
    await expect(client.head('udf/a.zip')).resolves.toMatchObject({ status: 200 });
    const put = await failure(client.put('udf/b.zip', Buffer.from('y')));
    expect(put).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(put.message).toContain(`acs:oss:*:${CUSTOMER}:${BUCKET}/udf/b.zip`);
    const list = await failure(client.listV2({}, {}));
    expect(list).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(list.message).toContain('oss:ListObjects');
    // HEAD answers carry no body: the error travels in x-oss-err, which ali-oss decodes.
    emu.admin.putObject({ cloud: 'aliyun', bucket: BUCKET, key: 'other/c.zip', body: 'z' });
    const nobody = await failure(oss(await assumed(rendered({ bucket: ['oss:ListObjects'], objects: [] }))).head('udf/a.zip'));
    expect(nobody).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('answers NoSuchBucket for a bucket that does not exist, and a redirect-style refusal for the wrong region', async () => {
    const missing = await failure(new OSS({ ...user, region: `oss-${REGION}`, bucket: 'no-such-bucket', endpoint: emu.url, authorizationV4: true }).listV2({}, {}));
    expect(missing).toMatchObject({ status: 404, code: 'NoSuchBucket' });
    const elsewhere = await failure(new OSS({ ...user, region: 'oss-cn-shanghai', bucket: BUCKET, endpoint: emu.url, authorizationV4: true }).listV2({}, {}));
    expect(elsewhere).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(elsewhere.message).toMatch(/specified endpoint/);
  });

  it('injects faults as OSS errors', async () => {
    emu.admin.addFault({ cloud: 'aliyun', service: 'oss', action: 'ListObjectsV2', code: 'ServiceUnavailable', status: 503, times: 1 });
    expect(await failure(oss(user).listV2({}, {}))).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
    await expect(oss(user).listV2({}, {})).resolves.toBeDefined();
  });
});
