import { createHash, createHmac } from 'node:crypto';
import { type EmulatorContext, sameSignature } from '../core/context';
import { type EmuRequest, header, parseAuthorization } from '../core/http';
import type { Caller } from '../core/state';

export interface TcError {
  code: string;
  message: string;
}

const ALGORITHM = 'TC3-HMAC-SHA256';
const SKEW_SECONDS = 300;

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * CanonicalRequest = METHOD, path, raw query, the signed headers (normally `content-type` and
 * `host`, the host WITHOUT port even though the Host header carries one), the signed-header list,
 * and sha256 of the exact body bytes (the SDK serialises with json-bigint: never re-serialise).
 */
function canonicalRequest(req: EmuRequest, signedHeaders: string[]): string {
  const lines = signedHeaders.map((name) => {
    const raw = header(req, name) ?? '';
    const value = name === 'host' ? raw.replace(/:\d+$/, '') : raw;
    return `${name}:${value.trim().toLowerCase()}\n`;
  });
  return [req.method, req.rawPath, req.rawQuery, lines.join(''), signedHeaders.join(';'), createHash('sha256').update(req.body).digest('hex')].join('\n');
}

/**
 * Authenticates a TC3-HMAC-SHA256 request. The credential scope's service is whatever the SDK
 * derived from the endpoint (`127` for 127.0.0.1), so it is read from the scope, never assumed.
 * Timestamp skew (5 min) is checked against the real wall clock, credential expiry against the
 * emulator clock.
 */
export function verifyTc3(req: EmuRequest, ctx: EmulatorContext): { caller: Caller } | TcError {
  const auth = parseAuthorization(header(req, 'authorization'));
  if (!auth) return { code: 'AuthFailure.SignatureFailure', message: 'The Authorization header is missing.' };
  const credential = auth.fields['Credential'] ?? '';
  const signedHeadersField = auth.fields['SignedHeaders'];
  const signature = auth.fields['Signature'];
  const [secretId, date, service, terminator] = credential.split('/');
  if (auth.scheme !== ALGORITHM || !secretId || !date || !service || terminator !== 'tc3_request' || !signedHeadersField || !signature) {
    return { code: 'AuthFailure.SignatureFailure', message: 'The provided credentials could not be validated because of an invalid Authorization header.' };
  }
  const timestamp = Number(header(req, 'x-tc-timestamp'));
  if (!Number.isInteger(timestamp)) return { code: 'MissingParameter', message: 'The request is missing a required parameter `X-TC-Timestamp`.' };
  const wall = Math.floor(ctx.clock.wallNow().getTime() / 1000);
  if (Math.abs(wall - timestamp) > SKEW_SECONDS) {
    return { code: 'AuthFailure.SignatureExpire', message: `Signature expired. Timestamp and server time are too far apart (request ${timestamp}, server ${wall}).` };
  }
  const longLived = ctx.state.accessKey('tencent', secretId);
  const session = longLived ? undefined : ctx.state.session('tencent', secretId);
  if (!longLived && !session) return { code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found, please ensure that your SecretId is correct.' };
  const token = header(req, 'x-tc-token');
  if ((session && token !== session.token) || (longLived && token !== undefined && token !== '')) {
    return { code: 'AuthFailure.TokenFailure', message: 'Token verification failed.' };
  }
  const signedHeaders = signedHeadersField.split(';');
  const stringToSign = [ALGORITHM, String(timestamp), `${date}/${service}/tc3_request`, createHash('sha256').update(canonicalRequest(req, signedHeaders)).digest('hex')].join('\n');
  const kSigning = hmac(hmac(hmac(`TC3${(longLived ?? session)!.secret}`, date), service), 'tc3_request');
  const expected = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  const expectedDate = new Date(timestamp * 1000).toISOString().slice(0, 10);
  if (!sameSignature(expected, signature) || date !== expectedDate || !signedHeaders.includes('host')) {
    return { code: 'AuthFailure.SignatureFailure', message: 'The provided credentials could not be validated. Please check your signature is correct.' };
  }
  const now = ctx.clock.now();
  if (longLived) {
    if (longLived.status !== 'Active' || (longLived.expiresAt && longLived.expiresAt <= now)) {
      return { code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found or has been disabled.' };
    }
    const user = ctx.state.user('tencent', longLived.userArn);
    if (!user) return { code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found, please ensure that your SecretId is correct.' };
    return { caller: ctx.state.callerForUser(user, secretId) };
  }
  if (session!.expiresAt <= now) return { code: 'AuthFailure.TokenFailure', message: 'Token verification failed: the token has expired.' };
  return { caller: ctx.state.callerForSession(session!) };
}

export function isTcFailure(result: { caller: Caller } | TcError): result is TcError {
  return 'code' in result;
}
