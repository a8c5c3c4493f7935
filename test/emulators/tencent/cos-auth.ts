import { createHash, createHmac } from 'node:crypto';
import { type EmulatorContext, sameSignature } from '../core/context';
import { type EmuRequest, header } from '../core/http';
import type { Caller } from '../core/state';

/** A COS refusal before the operation runs: HTTP status, COS code and message. */
export interface CosAuthError {
  status: number;
  code: string;
  message: string;
}

/** The `q-*` fields of a COS `Authorization` header (`q-sign-algorithm=sha1&q-ak=…&q-signature=…`). */
export function parseCosAuthorization(value: string | undefined): Record<string, string> | undefined {
  if (!value || !value.startsWith('q-sign-algorithm=')) return undefined;
  const fields: Record<string, string> = {};
  for (const part of value.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return fields;
}

/** The SDK's encoder for signed names and values: encodeURIComponent plus `!'()*`. */
export function camSafeUrlEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function window(value: string | undefined): [number, number] | undefined {
  const m = /^(\d+);(\d+)$/.exec(value ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}

/**
 * The COS (XML API) signature, as cos-nodejs-sdk-v5 computes it:
 * - SignKey = hex HMAC-SHA1(SecretKey, q-key-time);
 * - FormatString = lower(method) \n decoded path \n signed query \n signed headers \n, where the query
 *   and headers are the names of q-url-param-list / q-header-list, each `name=camSafe(value)`, sorted;
 * - StringToSign = `sha1\n<q-sign-time>\n<hex sha1(FormatString)>\n`;
 * - q-signature = hex HMAC-SHA1(SignKey, StringToSign).
 * The security token (`x-cos-security-token`) travels beside the signature, unsigned.
 */
function expectedSignature(req: EmuRequest, fields: Record<string, string>, secret: string): string {
  const headerNames = (fields['q-header-list'] ?? '').split(';').filter((n) => n !== '').sort();
  const paramNames = (fields['q-url-param-list'] ?? '').split(';').filter((n) => n !== '').sort();
  const headers = headerNames.map((name) => `${name}=${camSafeUrlEncode(header(req, name) ?? '')}`).join('&');
  const params = paramNames
    .map((name) => {
      const value = req.query.find(([k]) => camSafeUrlEncode(k).toLowerCase() === name)?.[1] ?? '';
      return `${name}=${camSafeUrlEncode(value)}`;
    })
    .join('&');
  const format = [req.method.toLowerCase(), decodePath(req.rawPath), params, headers, ''].join('\n');
  const stringToSign = ['sha1', fields['q-sign-time'] ?? '', createHash('sha1').update(format, 'utf8').digest('hex'), ''].join('\n');
  const signKey = createHmac('sha1', secret).update(fields['q-key-time'] ?? '', 'utf8').digest('hex');
  return createHmac('sha1', signKey).update(stringToSign, 'utf8').digest('hex');
}

// The SDK corrects its clock from the Date of a refusal once the skew reaches 30 s; a start time
// this far ahead of the server cannot be a clock that merely runs a little fast.
const FUTURE_TOLERANCE_SECONDS = 60;

/**
 * Authenticates a COS request: the key (long-lived, or temporary with its security token), the
 * sign-time window against the real wall clock (the SDK signs with it), the signature, then the
 * key's and token's expiry against the emulator clock.
 */
export function verifyCos(req: EmuRequest, ctx: EmulatorContext): { caller: Caller } | CosAuthError {
  const fields = parseCosAuthorization(header(req, 'authorization'));
  if (!fields) return { status: 403, code: 'AccessDenied', message: 'Access Denied.' };
  const signTime = window(fields['q-sign-time']);
  const keyTime = window(fields['q-key-time']);
  if (fields['q-sign-algorithm'] !== 'sha1' || !fields['q-ak'] || !signTime || !keyTime || !fields['q-signature'] || fields['q-header-list'] === undefined || fields['q-url-param-list'] === undefined) {
    return { status: 403, code: 'AccessDenied', message: 'Invalid Authorization.' };
  }
  const secretId = fields['q-ak'];
  const longLived = ctx.state.accessKey('tencent', secretId);
  const session = longLived ? undefined : ctx.state.session('tencent', secretId);
  if (!longLived && !session) return { status: 403, code: 'InvalidAccessKeyId', message: 'The access key Id format you provided is invalid or does not exist in our records.' };
  const token = header(req, 'x-cos-security-token');
  if (session && token !== session.token) {
    return { status: 400, code: 'InvalidToken', message: token ? 'The provided token is malformed or otherwise invalid.' : 'The request uses a temporary key but carries no x-cos-security-token.' };
  }
  const wall = Math.floor(ctx.clock.wallNow().getTime() / 1000);
  if (signTime[1] < wall || keyTime[1] < wall) return { status: 403, code: 'AccessDenied', message: 'Request has expired' };
  if (signTime[0] > wall + FUTURE_TOLERANCE_SECONDS || keyTime[0] > wall + FUTURE_TOLERANCE_SECONDS) {
    return { status: 403, code: 'RequestTimeTooSkewed', message: 'The difference between the request time and the server\'s time is too large.' };
  }
  const secret = (longLived ?? session)!.secret;
  if (!sameSignature(expectedSignature(req, fields, secret), fields['q-signature'])) {
    return { status: 403, code: 'SignatureDoesNotMatch', message: 'The Signature you specified is invalid.' };
  }
  const now = ctx.clock.now();
  if (longLived) {
    const user = ctx.state.user('tencent', longLived.userArn);
    if (longLived.status !== 'Active' || (longLived.expiresAt && longLived.expiresAt <= now) || !user) {
      return { status: 403, code: 'InvalidAccessKeyId', message: 'The access key Id you provided has been disabled or does not exist in our records.' };
    }
    return { caller: ctx.state.callerForUser(user, secretId) };
  }
  if (session!.expiresAt <= now) return { status: 400, code: 'ExpiredToken', message: 'The provided token has expired.' };
  return { caller: ctx.state.callerForSession(session!) };
}

export function isCosAuthError(result: { caller: Caller } | CosAuthError): result is CosAuthError {
  return 'code' in result;
}
