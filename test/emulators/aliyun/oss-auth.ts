import { createHash, createHmac } from 'node:crypto';
import { type EmulatorContext, sameSignature } from '../core/context';
import { type EmuRequest, header } from '../core/http';
import type { Caller } from '../core/state';

/** Why an OSS request failed authentication, in the words OSS answers with. */
export interface OssAuthFailure {
  status: number;
  code: 'AccessDenied' | 'InvalidAccessKeyId' | 'SignatureDoesNotMatch' | 'RequestTimeTooSkewed' | 'SecurityTokenExpired' | 'InvalidSecurityToken' | 'InvalidArgument';
  message: string;
  /** SignatureDoesNotMatch carries what the server signed, as OSS does, so a client can debug. */
  fields?: Record<string, string>;
}

/** Where the request points: bucket and object key (decoded), as both signature versions sign them. */
export interface OssTarget {
  bucket: string;
  key: string;
}

const SKEW_MS = 15 * 60_000;
const V4 = 'OSS4-HMAC-SHA256';

/**
 * Query parameters OSS's V1 signature covers (the sub-resources); everything else (`prefix`,
 * `max-keys`, `list-type`) is left out of the canonical resource. ali-oss puts exactly these into
 * `subres`, `continuation-token` among them.
 */
const V1_SUBRESOURCES = new Set([
  'acl', 'append', 'bucketInfo', 'callback', 'callback-var', 'cname', 'comp', 'continuation-token', 'cors', 'delete', 'encryption', 'endTime',
  'img', 'inventory', 'lifecycle', 'live', 'location', 'logging', 'objectMeta', 'partNumber', 'policy', 'position', 'qos', 'referer', 'replication',
  'requestPayment', 'response-cache-control', 'response-content-disposition', 'response-content-encoding', 'response-content-language',
  'response-content-type', 'response-expires', 'restore', 'security-token', 'startTime', 'stat', 'status', 'style', 'styleName', 'symlink',
  'tagging', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'vod', 'website', 'worm', 'wormExtend', 'wormId', 'x-oss-process',
]);

/** encodeURIComponent plus `!'()*`: ali-oss's `encodeString`, used by the V4 canonical request. */
function encodeV4(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `content-type`, `content-md5` and every `x-oss-*` header are always signed (both versions). */
function alwaysSigned(name: string): boolean {
  return name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-');
}

function headerNames(req: EmuRequest): string[] {
  return Object.keys(req.headers).map((k) => k.toLowerCase());
}

/** V1: VERB, Content-MD5, Content-Type, Date (x-oss-date wins), the x-oss-* headers, `/bucket/key?subresources`. */
export function ossV1StringToSign(req: EmuRequest, target: OssTarget): string {
  const ossHeaders = headerNames(req)
    .filter((name) => name.startsWith('x-oss-'))
    .sort()
    .map((name) => `${name}:${(header(req, name) ?? '').trim()}`);
  const subresources = req.query
    .filter(([k]) => V1_SUBRESOURCES.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`));
  const resource = `/${target.bucket}/${target.key}${subresources.length > 0 ? `?${subresources.join('&')}` : ''}`;
  const date = header(req, 'x-oss-date') ?? header(req, 'date') ?? '';
  return [req.method, header(req, 'content-md5') ?? '', header(req, 'content-type') ?? '', date, ...ossHeaders, resource].join('\n');
}

/** V4 canonical request: VERB, `/bucket/key` encoded, sorted query, signed headers, AdditionalHeaders, payload hash. */
export function ossV4CanonicalRequest(req: EmuRequest, target: OssTarget, additional: string[]): string {
  const uri = encodeV4(`/${target.bucket}/${target.key}`).replace(/%2F/g, '/');
  // ali-oss signs an empty sub-resource (`?acl`) as a bare key; it never sends an empty query value otherwise.
  const query = [...req.query]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => (v === '' ? encodeV4(k) : `${encodeV4(k)}=${encodeV4(v)}`))
    .join('&');
  const signed = [...new Set([...headerNames(req).filter(alwaysSigned), ...additional])].sort();
  const headers = signed.map((name) => `${name}:${(header(req, name) ?? '').trim()}\n`).join('');
  return [req.method, uri, query, headers, additional.join(';'), header(req, 'x-oss-content-sha256') ?? 'UNSIGNED-PAYLOAD'].join('\n');
}

function v4SigningKey(secret: string, date: string, region: string): Buffer {
  const kDate = createHmac('sha256', `aliyun_v4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kProduct = createHmac('sha256', kRegion).update('oss').digest();
  return createHmac('sha256', kProduct).update('aliyun_v4_request').digest();
}

/** `20260101T000000Z` → ms. */
function parseV4Date(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}

interface Parsed {
  version: 'v1' | 'v4';
  accessKeyId: string;
  signature: string;
  /** V4 only. */
  scope?: { date: string; region: string };
  additional: string[];
}

function parse(value: string): Parsed | OssAuthFailure {
  const malformed: OssAuthFailure = { status: 400, code: 'InvalidArgument', message: 'Authorization header is invalid.' };
  if (value.startsWith('OSS ')) {
    const m = /^OSS ([^:\s]+):(\S+)$/.exec(value);
    return m ? { version: 'v1', accessKeyId: m[1]!, signature: m[2]!, additional: [] } : malformed;
  }
  if (!value.startsWith(`${V4} `)) return malformed;
  const fields: Record<string, string> = {};
  for (const part of value.slice(V4.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const credential = (fields['Credential'] ?? '').split('/');
  if (credential.length !== 5 || credential[3] !== 'oss' || credential[4] !== 'aliyun_v4_request' || !fields['Signature']) return malformed;
  const additional = fields['AdditionalHeaders'] ? fields['AdditionalHeaders'].split(';').map((h) => h.toLowerCase()) : [];
  return { version: 'v4', accessKeyId: credential[0]!, signature: fields['Signature'], scope: { date: credential[1]!, region: credential[2]! }, additional };
}

/**
 * Authenticates an OSS request signed with V1 (`OSS ak:signature`, HMAC-SHA1) or V4
 * (`OSS4-HMAC-SHA256`). Date skew (15 min) is checked against the real wall clock, because the
 * SDK signs with it; STS credential expiry against the emulator clock.
 */
export function verifyOss(req: EmuRequest, ctx: EmulatorContext, target: OssTarget): { caller: Caller } | OssAuthFailure {
  const authorization = header(req, 'authorization');
  if (!authorization) return { status: 403, code: 'AccessDenied', message: 'You have no right to access this object because of bucket acl.' };
  const parsed = parse(authorization);
  if ('code' in parsed) return parsed;

  const longLived = ctx.state.accessKey('aliyun', parsed.accessKeyId);
  const session = longLived ? undefined : ctx.state.session('aliyun', parsed.accessKeyId);
  const unknownKey: OssAuthFailure = { status: 403, code: 'InvalidAccessKeyId', message: 'The OSS Access Key Id you provided does not exist in our records.', fields: { OSSAccessKeyId: parsed.accessKeyId } };
  if (!longLived && !session) return unknownKey;
  const token = header(req, 'x-oss-security-token');
  // An STS key id without its token is not a key OSS knows.
  if (session && token === undefined) return unknownKey;
  if ((session && token !== session.token) || (longLived && token !== undefined)) return { status: 403, code: 'InvalidSecurityToken', message: 'The security token you provided is invalid.' };

  const dateHeader = parsed.version === 'v4' ? header(req, 'x-oss-date') : header(req, 'x-oss-date') ?? header(req, 'date');
  const time = dateHeader === undefined ? Number.NaN : parsed.version === 'v4' ? parseV4Date(dateHeader) : Date.parse(dateHeader);
  if (Number.isNaN(time)) return { status: 403, code: 'AccessDenied', message: 'OSS authentication requires a valid Date.' };
  if (Math.abs(time - ctx.clock.wallNow().getTime()) > SKEW_MS) {
    return { status: 403, code: 'RequestTimeTooSkewed', message: 'The difference between the request time and the current time is too large.', fields: { RequestTime: dateHeader!, ServerTime: ctx.clock.wallNow().toISOString(), MaxAllowedSkewMilliseconds: String(SKEW_MS) } };
  }

  const secret = (longLived ?? session)!.secret;
  let stringToSign: string;
  let expected: string;
  if (parsed.version === 'v1') {
    stringToSign = ossV1StringToSign(req, target);
    expected = createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');
  } else {
    if (parsed.scope!.date !== dateHeader!.slice(0, 8)) return { status: 400, code: 'InvalidArgument', message: 'The date in the Credential scope does not match x-oss-date.' };
    const missing = parsed.additional.find((name) => header(req, name) === undefined);
    if (missing) return { status: 400, code: 'InvalidArgument', message: `Additional header ${missing} is not in the request.` };
    const canonical = ossV4CanonicalRequest(req, target, parsed.additional);
    stringToSign = [V4, dateHeader!, `${parsed.scope!.date}/${parsed.scope!.region}/oss/aliyun_v4_request`, createHash('sha256').update(canonical).digest('hex')].join('\n');
    expected = createHmac('sha256', v4SigningKey(secret, parsed.scope!.date, parsed.scope!.region)).update(stringToSign).digest('hex');
  }
  if (!sameSignature(expected, parsed.signature)) {
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      fields: { OSSAccessKeyId: parsed.accessKeyId, SignatureProvided: parsed.signature, StringToSign: stringToSign },
    };
  }

  const now = ctx.clock.now();
  if (longLived) {
    if (longLived.status !== 'Active' || (longLived.expiresAt && longLived.expiresAt <= now)) return { status: 403, code: 'InvalidAccessKeyId', message: 'The OSS Access Key Id you provided is disabled.', fields: { OSSAccessKeyId: parsed.accessKeyId } };
    const user = ctx.state.user('aliyun', longLived.userArn);
    if (!user) return unknownKey;
    return { caller: ctx.state.callerForUser(user, parsed.accessKeyId) };
  }
  if (session!.expiresAt <= now) return { status: 403, code: 'SecurityTokenExpired', message: 'The security token you provided has expired.' };
  return { caller: ctx.state.callerForSession(session!) };
}

export function isOssAuthFailure(result: { caller: Caller } | OssAuthFailure): result is OssAuthFailure {
  return 'code' in result;
}
