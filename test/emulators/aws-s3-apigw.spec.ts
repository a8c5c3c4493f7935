import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type PlatformSeed, startEmulator } from './index';

const CUSTOMER = '333333333333';
const REGION = 'eu-west-1';
const EXTERNAL_ID = 'ext-s3-0123456789';
const ROLE = `arn:aws:iam::${CUSTOMER}:role/CodeReader`;

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

let emu: Emulator;

/** The hash constructor smithy's SigV4 signer expects, on node:crypto. */
class Sha256 {
  private readonly h;
  constructor(secret?: unknown) {
    this.h = secret ? createHmac('sha256', secret as string) : createHash('sha256');
  }
  update(data: string | Uint8Array): void {
    this.h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.h.digest();
  }
}
let seed: PlatformSeed;

const s3 = (credentials: Creds, extra: { systemClockOffset?: number } = {}): S3Client => new S3Client({ region: REGION, endpoint: emu.url, forcePathStyle: true, credentials, maxAttempts: 1, ...extra });

async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

async function assume(policy?: unknown): Promise<Creds> {
  const client = new STSClient({ region: REGION, endpoint: emu.url, credentials: { accessKeyId: seed.aws.accessKeyId, secretAccessKey: seed.aws.secret }, maxAttempts: 1 });
  const out = await client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's3-test', ExternalId: EXTERNAL_ID, Policy: policy === undefined ? undefined : JSON.stringify(policy) }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.admin.reset();
  seed = emu.admin.seedPlatform();
  emu.admin.createAccount({ cloud: 'aws', id: CUSTOMER });
  emu.admin.createRole({
    cloud: 'aws',
    account: CUSTOMER,
    name: 'CodeReader',
    trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: seed.aws.principal }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } }] },
    permissionPolicies: [
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::cz-udf-code', Condition: { StringLike: { 's3:prefix': ['code/*'] } } },
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::cz-udf-code/code/*' },
          { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::cz-udf-code/upload/*' },
          { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `arn:aws:execute-api:${REGION}:${CUSTOMER}:abc123/dev/*/hello` },
        ],
      },
    ],
  });
  emu.admin.createBucket({ account: CUSTOMER, name: 'cz-udf-code', region: REGION });
  emu.admin.putObject({ bucket: 'cz-udf-code', key: 'code/score.zip', body: 'PK-zip-bytes' });
  emu.admin.putObject({ bucket: 'cz-udf-code', key: 'secret/keys.txt', body: 'nope' });
});

describe('AWS S3', () => {
  it('lists under an allowed prefix, refuses others (s3:prefix condition)', async () => {
    const c = s3(await assume());
    const list = await c.send(new ListObjectsV2Command({ Bucket: 'cz-udf-code', Prefix: 'code/', MaxKeys: 1 }));
    expect(list.Contents?.map((o) => o.Key)).toEqual(['code/score.zip']);
    expect(list.KeyCount).toBe(1);
    expect(await failure(c.send(new ListObjectsV2Command({ Bucket: 'cz-udf-code', Prefix: 'secret/' })))).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await failure(c.send(new ListObjectsV2Command({ Bucket: 'cz-udf-code' })))).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('gets and heads objects; a missing key is 403 without ListBucket on the bucket', async () => {
    const c = s3(await assume());
    const got = await c.send(new GetObjectCommand({ Bucket: 'cz-udf-code', Key: 'code/score.zip' }));
    expect(await got.Body!.transformToString()).toBe('PK-zip-bytes');
    await expect(c.send(new HeadObjectCommand({ Bucket: 'cz-udf-code', Key: 'code/score.zip' }))).resolves.toMatchObject({ ContentLength: 12 });
    expect(await failure(c.send(new GetObjectCommand({ Bucket: 'cz-udf-code', Key: 'secret/keys.txt' })))).toMatchObject({ name: 'AccessDenied', status: 403 });
    // ListBucket is granted only with an s3:prefix condition, which a GetObject request does not carry.
    expect(await failure(c.send(new GetObjectCommand({ Bucket: 'cz-udf-code', Key: 'code/missing.zip' })))).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('HeadBucket: 403 / 404 without a body', async () => {
    const c = s3(await assume());
    // HeadBucket needs s3:ListBucket, granted here only under the prefix condition.
    // No body on HEAD: the SDK can only go by the status (its name is 'Unknown' in this SDK version).
    const denied = await failure(c.send(new HeadBucketCommand({ Bucket: 'cz-udf-code' })));
    expect(denied.status).toBe(403);
    expect(['Forbidden', 'Unknown']).toContain(denied.name);
    expect(await failure(c.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })))).toMatchObject({ name: 'NotFound', status: 404 });
    const owner = emu.admin.createUser({ cloud: 'aws', account: CUSTOMER, name: 'owner', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }] });
    const out = await s3({ accessKeyId: owner.accessKeyId, secretAccessKey: owner.secret }).send(new HeadBucketCommand({ Bucket: 'cz-udf-code' }));
    expect(out.BucketRegion).toBe(REGION);
  });

  it('puts objects (the SDK may stream aws-chunked bodies)', async () => {
    const c = s3(await assume());
    await c.send(new PutObjectCommand({ Bucket: 'cz-udf-code', Key: 'upload/a.zip', Body: 'hello zip' }));
    const owner = emu.admin.createUser({ cloud: 'aws', account: CUSTOMER, name: 'owner', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }] });
    const got = await s3({ accessKeyId: owner.accessKeyId, secretAccessKey: owner.secret }).send(new GetObjectCommand({ Bucket: 'cz-udf-code', Key: 'upload/a.zip' }));
    expect(await got.Body!.transformToString()).toBe('hello zip');
    expect(await failure(c.send(new PutObjectCommand({ Bucket: 'cz-udf-code', Key: 'code/x.zip', Body: 'x' })))).toMatchObject({ name: 'AccessDenied' });
  });

  it('answers S3 authentication failures in S3 words', async () => {
    const creds = await assume();
    expect(await failure(s3({ ...creds, secretAccessKey: 'wrong' }).send(new GetObjectCommand({ Bucket: 'cz-udf-code', Key: 'code/score.zip' })))).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(await failure(s3({ accessKeyId: 'AKIANOTAKEY000000000', secretAccessKey: 'x' }).send(new GetObjectCommand({ Bucket: 'cz-udf-code', Key: 'code/score.zip' })))).toMatchObject({ name: 'InvalidAccessKeyId', status: 403 });
    expect(await failure(s3(creds, { systemClockOffset: -20 * 60_000 }).send(new GetObjectCommand({ Bucket: 'cz-udf-code', Key: 'code/score.zip' })))).toMatchObject({ name: 'RequestTimeTooSkewed', status: 403 });
    emu.admin.advanceClock(3601);
    expect(await failure(s3(creds).send(new GetObjectCommand({ Bucket: 'cz-udf-code', Key: 'code/score.zip' })))).toMatchObject({ name: 'ExpiredToken', status: 400 });
  });
});

describe('AWS execute-api', () => {
  async function signedFetch(creds: Creds, url: string, init: { method: string; body?: string; host?: string }): Promise<Response> {
    const u = new URL(url);
    const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials: creds, sha256: Sha256 });
    const host = init.host ?? u.host;
    const signed = await signer.sign({ method: init.method, protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: u.pathname, query: Object.fromEntries(u.searchParams), headers: { host, 'content-type': 'application/json' }, body: init.body });
    return fetch(url, { method: init.method, headers: signed.headers as Record<string, string>, body: init.body });
  }

  beforeEach(() => {
    emu.admin.createApi({ apiId: 'abc123', region: REGION, account: CUSTOMER, stage: 'dev', routes: [{ method: 'ANY', path: '/hello' }, { method: 'GET', path: '/private' }] });
  });

  it('verifies, authorises and echoes a signed request (path addressing)', async () => {
    const creds = await assume();
    const res = await signedFetch(creds, `${emu.url}/abc123/dev/hello?x=1`, { method: 'POST', body: '{"a":1}' });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Record<string, unknown>;
    expect(echo).toMatchObject({ method: 'POST', path: '/hello', body: '{"a":1}', query: { x: '1' }, caller: { arn: `arn:aws:sts::${CUSTOMER}:assumed-role/CodeReader/s3-test` } });
  });

  it('also addresses the API by its Host header (execute-api hostname, path starts at the stage)', async () => {
    const creds = await assume();
    const host = `abc123.execute-api.${REGION}.amazonaws.com`;
    const u = new URL(emu.url);
    const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials: creds, sha256: Sha256 });
    const signed = await signer.sign({ method: 'GET', protocol: 'https:', hostname: host, path: '/dev/hello', query: {}, headers: { host } });
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, method: 'GET', path: '/dev/hello', headers: signed.headers }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ apiId: 'abc123', stage: 'dev', path: '/hello', resource: `arn:aws:execute-api:${REGION}:${CUSTOMER}:abc123/dev/GET/hello` });
  });

  it('refuses routes the caller may not invoke, unsigned requests and bad signatures', async () => {
    const creds = await assume();
    expect((await signedFetch(creds, `${emu.url}/abc123/dev/private`, { method: 'GET' })).status).toBe(403);
    const unsigned = await fetch(`${emu.url}/abc123/dev/hello`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' });
    const forged = await signedFetch({ ...creds, secretAccessKey: 'wrong' }, `${emu.url}/abc123/dev/hello`, { method: 'GET' });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
  });

  it('honours an explicit deny in the API resource policy', async () => {
    emu.admin.createApi({
      apiId: 'abc123',
      region: REGION,
      account: CUSTOMER,
      stage: 'dev',
      routes: [{ method: 'ANY', path: '/hello' }],
      resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalArn': ROLE } } }] },
    });
    const res = await signedFetch(await assume(), `${emu.url}/abc123/dev/hello`, { method: 'GET' });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
  });
});
