import { createHash } from 'node:crypto';
import { authorize } from '../core/authz';
import { type EmulatorContext, injectFault } from '../core/context';
import { el, type EmuRequest, type EmuResponse, header, queryParam } from '../core/http';
import { ids } from '../core/ids';
import type { Bucket, Caller } from '../core/state';
import { type CosAuthError, isCosAuthError, verifyCos } from './cos-auth';

/** `<bucket>-<appid>.cos.<region>.myqcloud.com` (or the tencentcos.cn backup domain the SDK switches to). */
const COS_HOST = /^([a-z0-9][a-z0-9-]*-(\d+))\.cos\.([a-z0-9-]+)\.(?:myqcloud\.com|tencentcos\.cn)(?::\d+)?$/;

/** Whether a request is addressed to COS: signed the COS way, or sent to a COS bucket host. */
export function isCosRequest(req: EmuRequest): boolean {
  return (header(req, 'authorization') ?? '').startsWith('q-sign-algorithm=') || COS_HOST.test(header(req, 'host') ?? '');
}

interface Target {
  bucket: string;
  appId: string;
  region: string;
  host: string;
  /** Decoded object key, '' for bucket operations. */
  key: string;
}

class CosError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** COS errors: XML `<Error>` with Code, Message, Resource, RequestId and TraceId, plus `x-cos-request-id`. */
function cosError(error: CosAuthError, resource: string): EmuResponse {
  const requestId = ids.requestId();
  const body =
    `<?xml version='1.0' encoding='utf-8' ?>\n<Error>${el('Code', error.code)}${el('Message', error.message)}${el('Resource', resource)}` +
    `${el('RequestId', requestId)}${el('TraceId', Buffer.from(ids.hex(32)).toString('base64'))}</Error>`;
  return { status: error.status, headers: { 'content-type': 'application/xml', 'x-cos-request-id': requestId }, body };
}

function ok(status: number, headers: Record<string, string>, body: Buffer | string = ''): EmuResponse {
  return { status, headers: { 'x-cos-request-id': ids.requestId(), ...headers }, body };
}

function target(req: EmuRequest): Target | undefined {
  const host = header(req, 'host') ?? '';
  const m = COS_HOST.exec(host);
  if (!m) return undefined;
  let key: string;
  try {
    key = decodeURIComponent(req.rawPath).replace(/^\//, '');
  } catch {
    key = req.rawPath.replace(/^\//, '');
  }
  return { bucket: m[1]!, appId: m[2]!, region: m[3]!, host: host.replace(/:\d+$/, ''), key };
}

/** The COS operation a request is, the way CAM names it. */
function actionOf(req: EmuRequest, t: Target): string {
  if (t.key === '') return req.method === 'HEAD' ? 'HeadBucket' : req.method === 'GET' ? 'GetBucket' : `Unsupported${req.method}Bucket`;
  switch (req.method) {
    case 'PUT':
      return 'PutObject';
    case 'HEAD':
      return 'HeadObject';
    case 'GET':
      return 'GetObject';
    default:
      return `Unsupported${req.method}Object`;
  }
}

/** CAM resource of a COS bucket or object: `qcs::cos:<region>:uid/<appid>:<bucket-appid>/<key>`; bucket actions use `<bucket>/*`. */
function cosResource(t: Target, key: string): string {
  return `qcs::cos:${t.region}:uid/${t.appId}:${t.bucket}/${key}`;
}

function check(ctx: EmulatorContext, caller: Caller, bucket: Bucket, action: string, resource: string): void {
  const decision = authorize(caller, ctx.clock.now(), { action: `cos:${action}`, resource, resourcePolicy: bucket.policy, resourceAccount: bucket.accountId });
  if (!decision.allowed) throw new CosError(403, 'AccessDenied', 'Access Denied.');
}

function metadataHeaders(metadata: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [`x-cos-meta-${k}`, v]));
}

function objectHeaders(o: { body: Buffer; contentType: string; lastModified: Date; etag: string; metadata?: Record<string, string> }): Record<string, string> {
  return {
    'content-type': o.contentType,
    'content-length': String(o.body.length),
    etag: o.etag,
    'last-modified': o.lastModified.toUTCString(),
    'x-cos-storage-class': 'STANDARD',
    ...metadataHeaders(o.metadata),
  };
}

function putObject(ctx: EmulatorContext, req: EmuRequest, bucket: Bucket, key: string): EmuResponse {
  const declared = header(req, 'content-length');
  if (declared !== undefined && Number(declared) !== req.body.length) throw new CosError(400, 'IncompleteBody', 'The request body is shorter than its Content-Length.');
  // User metadata: every x-cos-meta-* header, kept without its prefix (COS caps the total at 2 KB).
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-cos-meta-') && value !== undefined) metadata[name.slice('x-cos-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  if (Buffer.byteLength(JSON.stringify(metadata)) > 2048) throw new CosError(400, 'MetadataTooLarge', 'The user metadata exceeds 2 KB.');
  const etag = `"${createHash('md5').update(req.body).digest('hex')}"`;
  bucket.objects.set(key, { key, body: req.body, contentType: header(req, 'content-type') || 'application/octet-stream', lastModified: ctx.clock.now(), etag, metadata });
  return ok(200, { etag });
}

/** GET Bucket (list objects v1): prefix, marker, max-keys (≤ 1000), keys in UTF-8 binary order. */
function getBucket(req: EmuRequest, bucket: Bucket): EmuResponse {
  const prefix = queryParam(req, 'prefix') ?? '';
  const marker = queryParam(req, 'marker') ?? '';
  const rawMax = queryParam(req, 'max-keys');
  const maxKeys = rawMax === undefined ? 1000 : Number(rawMax);
  if (!Number.isInteger(maxKeys) || maxKeys < 0 || maxKeys > 1000) throw new CosError(400, 'InvalidArgument', 'max-keys must be an integer between 0 and 1000.');
  const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && k > marker).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const page = keys.slice(0, maxKeys);
  const truncated = keys.length > page.length;
  const owner = `<Owner>${el('ID', bucket.accountId)}${el('DisplayName', bucket.accountId)}</Owner>`;
  const contents = page
    .map((k) => {
      const o = bucket.objects.get(k)!;
      return `<Contents>${el('Key', k)}${el('LastModified', o.lastModified.toISOString())}${el('ETag', o.etag)}${el('Size', o.body.length)}${owner}${el('StorageClass', 'STANDARD')}</Contents>`;
    })
    .join('');
  const next = truncated && page.length > 0 ? el('NextMarker', page[page.length - 1]) : '';
  const body =
    `<?xml version='1.0' encoding='utf-8' ?>\n<ListBucketResult>${el('Name', bucket.name)}${el('Prefix', prefix)}${el('Marker', marker)}` +
    `${el('MaxKeys', maxKeys)}${el('IsTruncated', truncated)}${next}${contents}</ListBucketResult>`;
  return ok(200, { 'content-type': 'application/xml' }, body);
}

/**
 * Tencent COS XML API on virtual-hosted addresses (the SDK's only style): PutObject (keeps
 * x-cos-meta-* metadata), HeadObject, GetObject, GET Bucket and HEAD Bucket. Each call is
 * signature-checked and then authorised by CAM as `cos:<Action>` on the bucket's resource.
 */
export async function handleCos(req: EmuRequest, ctx: EmulatorContext): Promise<EmuResponse> {
  const t = target(req);
  const resource = t ? `${t.host}/${t.key}` : header(req, 'host') ?? '';
  if (!t) {
    ctx.counters.call('tencent', 'cos', 'unknown');
    return cosError({ status: 400, code: 'InvalidURI', message: 'The emulator serves COS on <bucket>-<appid>.cos.<region>.myqcloud.com hosts only (cos-nodejs-sdk-v5: set Ip to the emulator address).' }, resource);
  }
  const action = actionOf(req, t);
  ctx.counters.call('tencent', 'cos', action);
  const auth = verifyCos(req, ctx);
  if (isCosAuthError(auth)) return cosError(auth, resource);
  try {
    if (action.startsWith('Unsupported')) throw new CosError(405, 'MethodNotAllowed', `The emulator does not serve ${req.method} here.`);
    const fault = await injectFault(ctx, 'tencent', 'cos', action);
    if (fault) throw new CosError(fault.status ?? 503, fault.code!, fault.message ?? 'Please reduce your request rate.');
    const bucket = ctx.state.bucket('tencent', t.bucket);
    // A bucket lives in one region: another region's endpoint does not know it.
    if (!bucket || bucket.region !== t.region) throw new CosError(404, 'NoSuchBucket', 'The specified bucket does not exist.');
    check(ctx, auth.caller, bucket, action, cosResource(t, t.key === '' ? '*' : t.key));
    switch (action) {
      case 'PutObject':
        return putObject(ctx, req, bucket, t.key);
      case 'GetBucket':
        return getBucket(req, bucket);
      case 'HeadBucket':
        return ok(200, { 'x-cos-bucket-region': bucket.region });
      default: {
        const object = bucket.objects.get(t.key);
        if (!object) throw new CosError(404, 'NoSuchKey', 'The specified key does not exist.');
        return ok(200, objectHeaders(object), action === 'GetObject' ? object.body : '');
      }
    }
  } catch (error) {
    if (error instanceof CosError) return cosError({ status: error.status, code: error.code, message: error.message }, resource);
    throw error;
  }
}
