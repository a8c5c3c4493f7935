import { createHash, createHmac } from 'node:crypto';
import { type EmulatorContext, sameSignature } from '../core/context';
import { type EmuRequest, header, parseAuthorization } from '../core/http';
import type { Caller } from '../core/state';

/** Why a request failed authentication, independent of how each AWS service words it. */
export type AuthFailure =
  | { code: 'missing' }
  | { code: 'malformed'; message: string }
  | { code: 'skew'; message: string; requestTime: string; serverTime: string }
  | { code: 'unknown-key'; accessKeyId: string }
  | { code: 'inactive-key'; accessKeyId: string }
  | { code: 'missing-token'; accessKeyId: string }
  | { code: 'bad-token'; accessKeyId: string }
  | { code: 'signature'; stringToSign: string; canonicalRequest: string }
  | { code: 'expired-token' }
  | { code: 'payload-hash' };

export interface SigV4Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

export interface AuthOk {
  caller: Caller;
  scope: SigV4Scope;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 encoding as AWS wants it: only `A-Za-z0-9-_.~` stay literal. */
export function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The service named in a SigV4 credential scope, without verifying anything (dispatch uses it). */
export function sigV4Scope(req: EmuRequest): SigV4Scope | undefined {
  const auth = parseAuthorization(header(req, 'authorization'));
  if (!auth || auth.scheme !== ALGORITHM) return undefined;
  const parts = (auth.fields['Credential'] ?? '').split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  return { accessKeyId: parts[0]!, date: parts[1]!, region: parts[2]!, service: parts[3]! };
}

/**
 * Canonical URI. S3 signs the path exactly as sent; every other service normalises `.`/`..`, drops
 * empty segments and URI-encodes the (already encoded) wire path once more, so Lambda's
 * `arn%3Aaws…` is signed as `arn%253Aaws…`.
 */
export function canonicalUri(rawPath: string, service: string): string {
  if (service === 's3') return rawPath === '' ? '/' : rawPath;
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalised = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return uriEscape(normalised).replace(/%2F/g, '/');
}

export function canonicalQuery(query: Array<[string, string]>): string {
  return query
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [uriEscape(k), uriEscape(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

/** The current time as `YYYYMMDDTHHMMSSZ`. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m) return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : new Date(parsed);
}

export interface VerifyOptions {
  /** Allowed clock skew: 15 min for STS and S3, 5 min for Lambda and API Gateway. */
  skewMinutes: number;
  /** S3 accepts `UNSIGNED-PAYLOAD` and the streaming (aws-chunked) payload markers. */
  allowUnsignedPayload: boolean;
}

/**
 * Authenticates a SigV4 request: timestamp skew (against the real wall clock, because the SDKs
 * sign with it), key, session token, signature, payload hash, and credential expiry (against the
 * emulator clock, which the admin API may have moved forward).
 */
export function verifySigV4(req: EmuRequest, ctx: EmulatorContext, options: VerifyOptions): AuthOk | AuthFailure {
  const authorization = header(req, 'authorization');
  if (!authorization) return { code: 'missing' };
  const auth = parseAuthorization(authorization);
  if (!auth || auth.scheme !== ALGORITHM) return { code: 'malformed', message: `Unsupported authorization type` };
  const credential = auth.fields['Credential'];
  const signedHeadersField = auth.fields['SignedHeaders'];
  const signature = auth.fields['Signature'];
  if (!credential || !signedHeadersField || !signature) {
    return { code: 'malformed', message: `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${authorization}` };
  }
  const scope = sigV4Scope(req);
  if (!scope) return { code: 'malformed', message: `Credential should be scoped to a valid region and service. Credential=${credential}` };
  const dateHeader = header(req, 'x-amz-date') ?? header(req, 'date');
  const requestTime = dateHeader ? parseAmzDate(dateHeader) : undefined;
  if (!dateHeader || !requestTime) return { code: 'malformed', message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.` };

  const wall = ctx.clock.wallNow();
  const skewMs = options.skewMinutes * 60_000;
  if (requestTime.getTime() < wall.getTime() - skewMs) {
    const limit = amzDate(new Date(wall.getTime() - skewMs));
    return { code: 'skew', requestTime: amzDate(requestTime), serverTime: amzDate(wall), message: `Signature expired: ${amzDate(requestTime)} is now earlier than ${limit} (${amzDate(wall)} - ${options.skewMinutes} min.)` };
  }
  if (requestTime.getTime() > wall.getTime() + skewMs) {
    const limit = amzDate(new Date(wall.getTime() + skewMs));
    return { code: 'skew', requestTime: amzDate(requestTime), serverTime: amzDate(wall), message: `Signature not yet current: ${amzDate(requestTime)} is still later than ${limit} (${amzDate(wall)} + ${options.skewMinutes} min.)` };
  }

  const token = header(req, 'x-amz-security-token');
  const longLived = ctx.state.accessKey('aws', scope.accessKeyId);
  const session = longLived ? undefined : ctx.state.session('aws', scope.accessKeyId);
  if (!longLived && !session) return { code: 'unknown-key', accessKeyId: scope.accessKeyId };
  if (session && token === undefined) return { code: 'missing-token', accessKeyId: scope.accessKeyId };
  if ((session && token !== session.token) || (longLived && token !== undefined)) return { code: 'bad-token', accessKeyId: scope.accessKeyId };
  const secret = (longLived ?? session)!.secret;

  const declaredHash = header(req, 'x-amz-content-sha256');
  const bodyHash = sha256Hex(req.body);
  const unsigned = declaredHash !== undefined && (declaredHash === 'UNSIGNED-PAYLOAD' || declaredHash.startsWith('STREAMING-'));
  const payloadHash = declaredHash ?? bodyHash;

  const signedHeaders = signedHeadersField.split(';');
  const headerLines = signedHeaders.map((name) => `${name}:${canonicalHeaderValue(header(req, name) ?? '')}`);
  const canonicalRequest = [req.method, canonicalUri(req.rawPath, scope.service), canonicalQuery(req.query), ...headerLines, '', signedHeadersField, payloadHash].join('\n');
  const scopeString = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  // Without x-amz-date the RFC 1123 Date header is signed in its amz form.
  const signingTime = header(req, 'x-amz-date') ?? amzDate(requestTime);
  const stringToSign = [ALGORITHM, signingTime, scopeString, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${secret}`, scope.date);
  const kSigning = hmac(hmac(hmac(kDate, scope.region), scope.service), 'aws4_request');
  const expected = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  // The scope's date must be the signing date, or the key derivation is for another day.
  if (!sameSignature(expected, signature) || !signingTime.startsWith(scope.date) || !signedHeaders.includes('host')) {
    return { code: 'signature', stringToSign, canonicalRequest };
  }
  if (unsigned ? !options.allowUnsignedPayload : declaredHash !== undefined && declaredHash !== bodyHash) return { code: 'payload-hash' };

  const now = ctx.clock.now();
  if (longLived) {
    if (longLived.status !== 'Active') return { code: 'inactive-key', accessKeyId: scope.accessKeyId };
    if (longLived.expiresAt && longLived.expiresAt <= now) return { code: 'inactive-key', accessKeyId: scope.accessKeyId };
    const user = ctx.state.user('aws', longLived.userArn);
    if (!user) return { code: 'unknown-key', accessKeyId: scope.accessKeyId };
    return { caller: ctx.state.callerForUser(user, longLived.accessKeyId), scope };
  }
  if (session!.expiresAt <= now) return { code: 'expired-token' };
  return { caller: ctx.state.callerForSession(session!), scope };
}

export function isAuthFailure(result: AuthOk | AuthFailure): result is AuthFailure {
  return 'code' in result;
}
