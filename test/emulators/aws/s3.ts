import { createHash } from 'node:crypto';
import { authorize } from '../core/authz';
import { type EmulatorContext, injectFault } from '../core/context';
import { type EmuRequest, type EmuResponse, el, header, queryParam, xml } from '../core/http';
import type { Bucket, Caller } from '../core/state';
import { type AwsError, awsErrorResponse, authError } from './errors';
import { checkChecksums, uploadPayload, userMetadata } from './s3-payload';
import { isAuthFailure, verifySigV4 } from './sigv4';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

class S3Error extends Error {
  constructor(readonly error: AwsError) {
    super(error.message);
  }
}

const accessDenied = (): S3Error => new S3Error({ status: 403, code: 'AccessDenied', message: 'Access Denied' });

type Action = 'HeadBucket' | 'ListObjectsV2' | 'ListObjects' | 'GetBucketLocation' | 'GetObject' | 'HeadObject' | 'PutObject';

interface Route {
  action: Action;
  bucket: string;
  key?: string;
}

/** Path-style addressing only (`/<bucket>/<key>`): the SDKs use it with `forcePathStyle` or an IP endpoint. */
function route(req: EmuRequest): Route | undefined {
  const m = /^\/([^/]+)(?:\/(.*))?$/.exec(req.rawPath);
  if (!m) return undefined;
  const bucket = decodeURIComponent(m[1]!);
  const key = m[2] === undefined || m[2] === '' ? undefined : decodeURIComponent(m[2]);
  if (key === undefined) {
    if (req.method === 'HEAD') return { action: 'HeadBucket', bucket };
    if (req.method === 'GET' && req.query.some(([k]) => k === 'location')) return { action: 'GetBucketLocation', bucket };
    if (req.method === 'GET') return { action: queryParam(req, 'list-type') === '2' ? 'ListObjectsV2' : 'ListObjects', bucket };
    return undefined;
  }
  if (req.method === 'GET') return { action: 'GetObject', bucket, key };
  if (req.method === 'HEAD') return { action: 'HeadObject', bucket, key };
  if (req.method === 'PUT') return { action: 'PutObject', bucket, key };
  return undefined;
}

function allowed(ctx: EmulatorContext, caller: Caller, bucket: Bucket, action: string, resource: string, context: Record<string, string | undefined> = {}): boolean {
  return authorize(caller, ctx.clock.now(), { action, resource, context, resourcePolicy: bucket.policy, resourceAccount: bucket.accountId }).allowed;
}

function bucketArn(caller: Caller, bucket: string): string {
  return `arn:${caller.account.partition}:s3:::${bucket}`;
}

function listObjects(req: EmuRequest, bucket: Bucket, v2: boolean): EmuResponse {
  const prefix = queryParam(req, 'prefix') ?? '';
  const delimiter = queryParam(req, 'delimiter');
  const maxKeys = Math.min(Number(queryParam(req, 'max-keys') ?? 1000), 1000);
  const token = queryParam(req, 'continuation-token');
  const startAfter = v2 ? (token ? Buffer.from(token, 'base64').toString('utf8') : queryParam(req, 'start-after')) : queryParam(req, 'marker');
  const urlEncode = queryParam(req, 'encoding-type') === 'url';
  const enc = (k: string): string => (urlEncode ? encodeURIComponent(k).replace(/%2F/g, '/') : k);

  const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && (startAfter === undefined || k > startAfter)).sort();
  const contents: string[] = [];
  const prefixes = new Set<string>();
  let last: string | undefined;
  let truncated = false;
  for (const key of keys) {
    if (contents.length + prefixes.size >= maxKeys) {
      truncated = true;
      break;
    }
    last = key;
    if (delimiter) {
      const cut = key.indexOf(delimiter, prefix.length);
      if (cut >= 0) {
        prefixes.add(key.slice(0, cut + delimiter.length));
        continue;
      }
    }
    const o = bucket.objects.get(key)!;
    contents.push(`<Contents>${el('Key', enc(key))}${el('LastModified', o.lastModified.toISOString())}${el('ETag', o.etag)}${el('Size', o.body.length)}<StorageClass>STANDARD</StorageClass></Contents>`);
  }
  const common = [...prefixes].map((p) => `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`).join('');
  const paging = v2
    ? `${el('KeyCount', contents.length + prefixes.size)}${el('ContinuationToken', token)}${truncated && last ? el('NextContinuationToken', Buffer.from(last).toString('base64')) : ''}${el('StartAfter', queryParam(req, 'start-after'))}`
    : `${el('Marker', startAfter ?? '')}${truncated && last ? el('NextMarker', last) : ''}`;
  return xml(
    200,
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${NS}">${el('Name', bucket.name)}${el('Prefix', enc(prefix))}${el('Delimiter', delimiter)}${el('MaxKeys', maxKeys)}${urlEncode ? el('EncodingType', 'url') : ''}${el('IsTruncated', truncated)}${contents.join('')}${common}${paging}</ListBucketResult>`,
    { 'content-type': 'application/xml' },
  );
}

function serve(ctx: EmulatorContext, req: EmuRequest, caller: Caller, r: Route): EmuResponse {
  const bucket = ctx.state.bucket('aws', r.bucket);
  if (!bucket) throw new S3Error({ status: 404, code: 'NoSuchBucket', message: 'The specified bucket does not exist', fields: { BucketName: r.bucket } });
  const arn = bucketArn(caller, bucket.name);
  switch (r.action) {
    case 'HeadBucket':
      if (!allowed(ctx, caller, bucket, 's3:ListBucket', arn)) throw accessDenied();
      return { status: 200, headers: { 'x-amz-bucket-region': bucket.region, 'x-amz-access-point-alias': 'false' }, body: '' };
    case 'GetBucketLocation':
      if (!allowed(ctx, caller, bucket, 's3:GetBucketLocation', arn)) throw accessDenied();
      return xml(200, `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${NS}">${bucket.region === 'us-east-1' ? '' : bucket.region}</LocationConstraint>`);
    case 'ListObjectsV2':
    case 'ListObjects': {
      const context = { 's3:prefix': queryParam(req, 'prefix'), 's3:delimiter': queryParam(req, 'delimiter'), 's3:max-keys': queryParam(req, 'max-keys') };
      if (!allowed(ctx, caller, bucket, 's3:ListBucket', arn, context)) throw accessDenied();
      return listObjects(req, bucket, r.action === 'ListObjectsV2');
    }
    case 'GetObject':
    case 'HeadObject': {
      if (!allowed(ctx, caller, bucket, 's3:GetObject', `${arn}/${r.key}`)) throw accessDenied();
      const object = bucket.objects.get(r.key!);
      if (!object) {
        // Without s3:ListBucket, S3 will not even confirm that the key is missing.
        if (!allowed(ctx, caller, bucket, 's3:ListBucket', arn)) throw accessDenied();
        throw new S3Error({ status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.', fields: { Key: r.key! } });
      }
      const headers: Record<string, string> = { 'content-type': object.contentType, 'content-length': String(object.body.length), etag: object.etag, 'last-modified': object.lastModified.toUTCString(), 'accept-ranges': 'bytes', 'x-amz-request-id': 'EMULATOR' };
      for (const [name, value] of Object.entries(object.metadata ?? {})) headers[`x-amz-meta-${name}`] = value;
      // Stored checksums come back only when asked for (the SDK's GetObject asks, and validates the body against them).
      if (header(req, 'x-amz-checksum-mode') === 'ENABLED') for (const [algorithm, value] of Object.entries(object.checksums ?? {})) headers[`x-amz-checksum-${algorithm}`] = value;
      return { status: 200, headers, body: r.action === 'HeadObject' ? '' : object.body };
    }
    case 'PutObject': {
      if (!allowed(ctx, caller, bucket, 's3:PutObject', `${arn}/${r.key}`)) throw accessDenied();
      const payload = uploadPayload(req);
      const declared = header(req, 'x-amz-decoded-content-length');
      if (declared !== undefined && Number(declared) !== payload.body.length) {
        throw new S3Error({ status: 400, code: 'IncompleteBody', message: 'You did not provide the number of bytes specified by the Content-Length HTTP header' });
      }
      const { checksums, mismatch } = checkChecksums(req, payload);
      if (mismatch) throw new S3Error({ status: 400, code: 'BadDigest', message: `The ${mismatch} you specified did not match the calculated checksum.` });
      const etag = `"${createHash('md5').update(payload.body).digest('hex')}"`;
      const metadata = userMetadata(req);
      bucket.objects.set(r.key!, { key: r.key!, body: payload.body, contentType: header(req, 'content-type') ?? 'application/octet-stream', lastModified: ctx.clock.now(), etag, metadata, checksums });
      const echoed = Object.fromEntries(Object.entries(checksums).map(([algorithm, value]) => [`x-amz-checksum-${algorithm}`, value]));
      return { status: 200, headers: { etag, ...echoed }, body: '' };
    }
  }
}

/** AWS S3, path-style: HeadBucket, ListObjects(V2), GetBucketLocation, GetObject, HeadObject, PutObject. */
export async function handleS3(req: EmuRequest, ctx: EmulatorContext): Promise<EmuResponse> {
  const r = route(req);
  ctx.counters.call('aws', 's3', r?.action ?? 'unknown');
  // S3 tolerates 15 minutes of skew, then answers RequestTimeTooSkewed.
  const auth = verifySigV4(req, ctx, { skewMinutes: 15, allowUnsignedPayload: true });
  if (isAuthFailure(auth)) return awsErrorResponse('s3', authError('s3', auth), req.method);
  try {
    if (!r) throw new S3Error({ status: 405, code: 'MethodNotAllowed', message: 'The specified method is not allowed against this resource.' });
    const fault = await injectFault(ctx, 'aws', 's3', r.action);
    if (fault) throw new S3Error({ status: fault.status ?? 503, code: fault.code!, message: fault.message ?? 'Please reduce your request rate.' });
    return serve(ctx, req, auth.caller, r);
  } catch (error) {
    if (error instanceof S3Error) return awsErrorResponse('s3', error.error, req.method);
    throw error;
  }
}
