import { createHash } from 'node:crypto';
import { authorize } from '../core/authz';
import { crc64 } from '../core/crc64';
import { type EmulatorContext, injectFault } from '../core/context';
import { type EmuRequest, type EmuResponse, el, header, queryParam, xml } from '../core/http';
import { ids } from '../core/ids';
import type { Bucket, Caller, StoredObject } from '../core/state';
import { isOssAuthFailure, type OssTarget, verifyOss } from './oss-auth';

/** An OSS error: `<Error><Code/><Message/><RequestId/><HostId/>…</Error>`, plus the fields some codes add. */
export class OssError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Action = 'PutObject' | 'GetObject' | 'HeadObject' | 'ListObjects' | 'ListObjectsV2';

interface Route extends OssTarget {
  action: Action;
  /** The region named by a virtual-hosted Host (`<bucket>.oss-<region>.aliyuncs.com`). */
  hostRegion?: string;
}

/** `<bucket>.oss-<region>[-internal].aliyuncs.com[:port]`: what ali-oss sends as Host (also with an IP endpoint). */
const VIRTUAL_HOST = /^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.oss-([a-z0-9-]+?)(?:-internal)?\.aliyuncs\.com(?::\d+)?$/;

/** Whether a request names an OSS virtual host (so unsigned ones are still OSS's to refuse). */
export function isOssHost(req: EmuRequest): boolean {
  return VIRTUAL_HOST.test(header(req, 'host') ?? '');
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new OssError(400, 'InvalidObjectName', 'The specified object name is not valid.');
  }
}

/**
 * Virtual-hosted (`Host: <bucket>.oss-<region>.aliyuncs.com`, path `/<key>`; ali-oss does this
 * even for an IP endpoint) or path style (`/<bucket>/<key>`, ali-oss with `sldEnable`).
 */
function route(req: EmuRequest): Route | undefined {
  const host = VIRTUAL_HOST.exec(header(req, 'host') ?? '');
  let bucket: string;
  let key: string;
  if (host) {
    bucket = host[1]!;
    key = decode(req.rawPath.replace(/^\//, ''));
  } else {
    const m = /^\/([^/]+)(?:\/(.*))?$/.exec(req.rawPath);
    if (!m) return undefined;
    bucket = decode(m[1]!);
    key = decode(m[2] ?? '');
  }
  const target = { bucket, key, ...(host ? { hostRegion: host[2]! } : {}) };
  if (key === '') return req.method === 'GET' ? { action: queryParam(req, 'list-type') === '2' ? 'ListObjectsV2' : 'ListObjects', ...target } : undefined;
  if (req.method === 'PUT') return { action: 'PutObject', ...target };
  if (req.method === 'GET') return { action: 'GetObject', ...target };
  if (req.method === 'HEAD') return { action: 'HeadObject', ...target };
  return undefined;
}

/** The RAM resource of a bucket or object: `acs:oss:*:<owner uid>:<bucket>[/<key>]`. */
export function ossResource(bucket: Bucket, key?: string): string {
  return `acs:oss:*:${bucket.accountId}:${bucket.name}${key === undefined ? '' : `/${key}`}`;
}

/** Evaluates the caller's RAM policies (and the bucket policy) for one OSS action. */
export function ossAllowed(ctx: EmulatorContext, caller: Caller, bucket: Bucket, action: string, resource: string, context: Record<string, string | undefined> = {}): boolean {
  return authorize(caller, ctx.clock.now(), { action, resource, context, resourcePolicy: bucket.policy, resourceAccount: bucket.accountId }).allowed;
}

const accessDenied = (action: string, resource: string): OssError => new OssError(403, 'AccessDenied', `You are forbidden to ${action} on ${resource}.`, { Action: action, Resource: resource });

/** OSS ETags are the upper-case hex MD5 in quotes. */
function etagOf(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex').toUpperCase()}"`;
}

function objectHeaders(o: StoredObject): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': o.contentType,
    'content-length': String(o.body.length),
    etag: o.etag,
    'last-modified': o.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    'x-oss-object-type': 'Normal',
    'x-oss-storage-class': 'Standard',
    'x-oss-hash-crc64ecma': crc64(o.body),
  };
  for (const [k, v] of Object.entries(o.metadata ?? {})) headers[`x-oss-meta-${k}`] = v;
  return headers;
}

function putObject(ctx: EmulatorContext, req: EmuRequest, bucket: Bucket, key: string): EmuResponse {
  const md5 = header(req, 'content-md5');
  if (md5 !== undefined && md5 !== createHash('md5').update(req.body).digest('base64')) throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.');
  const metadata: Record<string, string> = {};
  for (const name of Object.keys(req.headers)) if (name.toLowerCase().startsWith('x-oss-meta-')) metadata[name.toLowerCase().slice('x-oss-meta-'.length)] = header(req, name) ?? '';
  const etag = etagOf(req.body);
  bucket.objects.set(key, { key, body: req.body, contentType: header(req, 'content-type') ?? 'application/octet-stream', lastModified: ctx.clock.now(), etag, metadata });
  return { status: 200, headers: { etag, 'x-oss-hash-crc64ecma': crc64(req.body), 'content-md5': createHash('md5').update(req.body).digest('base64') }, body: '' };
}

function listObjects(req: EmuRequest, bucket: Bucket, v2: boolean): EmuResponse {
  const prefix = queryParam(req, 'prefix') ?? '';
  const delimiter = queryParam(req, 'delimiter') || undefined;
  const rawMax = queryParam(req, 'max-keys');
  const maxKeys = rawMax === undefined ? 100 : Number(rawMax);
  if (!Number.isInteger(maxKeys) || maxKeys < 0 || maxKeys > 1000) throw new OssError(400, 'InvalidArgument', 'max-keys must be an integer between 0 and 1000.', { ArgumentName: 'max-keys', ArgumentValue: rawMax ?? '' });
  const token = queryParam(req, 'continuation-token');
  let after: string | undefined;
  if (v2 && token !== undefined) {
    after = Buffer.from(token, 'base64url').toString('utf8');
    if (after === '') throw new OssError(400, 'InvalidArgument', 'The continuation token provided is incorrect.', { ArgumentName: 'continuation-token', ArgumentValue: token });
  } else {
    after = v2 ? queryParam(req, 'start-after') : queryParam(req, 'marker');
  }
  const url = queryParam(req, 'encoding-type') === 'url';
  const enc = (k: string): string => (url ? encodeURIComponent(k).replace(/%2F/g, '/') : k);
  const owner = `<Owner><ID>${bucket.accountId}</ID><DisplayName>${bucket.accountId}</DisplayName></Owner>`;
  const withOwner = !v2 || queryParam(req, 'fetch-owner') === 'true';

  const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).sort();
  const contents: string[] = [];
  const prefixes = new Set<string>();
  let last: string | undefined;
  let truncated = false;
  for (const key of keys) {
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? key.slice(0, cut + delimiter!.length) : undefined;
    if (common !== undefined && prefixes.has(common)) {
      last = key;
      continue;
    }
    if (contents.length + prefixes.size >= maxKeys) {
      truncated = true;
      break;
    }
    last = key;
    if (common !== undefined) {
      prefixes.add(common);
      continue;
    }
    const o = bucket.objects.get(key)!;
    contents.push(`<Contents>${el('Key', enc(key))}${el('LastModified', o.lastModified.toISOString())}${el('ETag', o.etag)}<Type>Normal</Type>${el('Size', o.body.length)}<StorageClass>Standard</StorageClass>${withOwner ? owner : ''}</Contents>`);
  }
  const commonPrefixes = [...prefixes].map((p) => `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`).join('');
  const paging = v2
    ? `${el('ContinuationToken', token)}${el('StartAfter', queryParam(req, 'start-after'))}${el('KeyCount', contents.length + prefixes.size)}${truncated && last ? el('NextContinuationToken', Buffer.from(last).toString('base64url')) : ''}`
    : `${el('Marker', queryParam(req, 'marker') ?? '')}${truncated && last ? el('NextMarker', enc(last)) : ''}`;
  return xml(
    200,
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult>${el('Name', bucket.name)}${el('Prefix', enc(prefix))}${el('MaxKeys', maxKeys)}${el('Delimiter', delimiter)}${url ? el('EncodingType', 'url') : ''}${el('IsTruncated', truncated)}${contents.join('')}${commonPrefixes}${paging}</ListBucketResult>`,
    { 'content-type': 'application/xml' },
  );
}

function serve(ctx: EmulatorContext, req: EmuRequest, caller: Caller, r: Route): EmuResponse {
  const bucket = ctx.state.bucket('aliyun', r.bucket);
  if (!bucket) throw new OssError(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: r.bucket });
  if (r.hostRegion && r.hostRegion !== bucket.region) {
    throw new OssError(403, 'AccessDenied', 'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.', { Bucket: bucket.name, Endpoint: `oss-${bucket.region}.aliyuncs.com` });
  }
  switch (r.action) {
    case 'ListObjects':
    case 'ListObjectsV2': {
      const resource = ossResource(bucket);
      if (!ossAllowed(ctx, caller, bucket, 'oss:ListObjects', resource, { 'oss:Prefix': queryParam(req, 'prefix') ?? '', 'oss:Delimiter': queryParam(req, 'delimiter') })) throw accessDenied('oss:ListObjects', resource);
      return listObjects(req, bucket, r.action === 'ListObjectsV2');
    }
    case 'PutObject': {
      const resource = ossResource(bucket, r.key);
      if (!ossAllowed(ctx, caller, bucket, 'oss:PutObject', resource)) throw accessDenied('oss:PutObject', resource);
      return putObject(ctx, req, bucket, r.key);
    }
    case 'GetObject':
    case 'HeadObject': {
      const resource = ossResource(bucket, r.key);
      if (!ossAllowed(ctx, caller, bucket, 'oss:GetObject', resource)) throw accessDenied('oss:GetObject', resource);
      const object = bucket.objects.get(r.key);
      if (!object) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: r.key });
      return { status: 200, headers: objectHeaders(object), body: r.action === 'HeadObject' ? '' : object.body };
    }
  }
}

/** The error body OSS writes; a HEAD answer carries it base64-encoded in `x-oss-err` instead (ali-oss reads it there). */
function errorResponse(error: OssError, req: EmuRequest, requestId: string, hostId: string): EmuResponse {
  const extra = Object.entries(error.fields).map(([k, v]) => el(k, v)).join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${el('Code', error.code)}${el('Message', error.message)}${el('RequestId', requestId)}${el('HostId', hostId)}${extra}</Error>`;
  const headers: Record<string, string> = { 'content-type': 'application/xml', 'x-oss-request-id': requestId };
  if (req.method === 'HEAD') headers['x-oss-err'] = Buffer.from(body).toString('base64');
  return { status: error.status, headers, body };
}

/** Alibaba Cloud OSS, signature V1 and V4: PutObject, GetObject, HeadObject, ListObjects (V1 and V2). */
export async function handleOss(req: EmuRequest, ctx: EmulatorContext): Promise<EmuResponse> {
  const requestId = ids.hex(24).toUpperCase();
  const host = header(req, 'host') ?? '';
  const hostId = VIRTUAL_HOST.test(host) ? host.replace(/:\d+$/, '') : 'oss-cn-hangzhou.aliyuncs.com';
  try {
    const r = route(req);
    ctx.counters.call('aliyun', 'oss', r?.action ?? 'unknown');
    if (!r) throw new OssError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    const auth = verifyOss(req, ctx, r);
    if (isOssAuthFailure(auth)) throw new OssError(auth.status, auth.code, auth.message, auth.fields);
    const fault = await injectFault(ctx, 'aliyun', 'oss', r.action);
    if (fault) throw new OssError(fault.status ?? 503, fault.code!, fault.message ?? 'Please reduce your request rate.');
    const response = serve(ctx, req, auth.caller, r);
    return { ...response, headers: { server: 'AliyunOSS', 'x-oss-request-id': requestId, ...response.headers } };
  } catch (error) {
    if (error instanceof OssError) return errorResponse(error, req, requestId, hostId);
    throw error;
  }
}
