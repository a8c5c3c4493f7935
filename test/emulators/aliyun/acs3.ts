import { createHash, createHmac } from 'node:crypto';
import { type EmulatorContext, sameSignature } from '../core/context';
import { type EmuRequest, header, parseAuthorization } from '../core/http';
import type { Caller } from '../core/state';

/** Why an ACS3 request failed authentication; each Aliyun service words it its own way. */
export type AcsAuthFailure =
  | { code: 'missing' }
  | { code: 'malformed'; message: string }
  | { code: 'skew' }
  | { code: 'nonce-used' }
  | { code: 'unknown-key'; accessKeyId: string }
  | { code: 'inactive-key'; accessKeyId: string }
  | { code: 'missing-token' }
  | { code: 'bad-token' }
  | { code: 'signature'; stringToSign: string }
  | { code: 'expired-token' };

const ALGORITHM = 'ACS3-HMAC-SHA256';
const SKEW_MS = 15 * 60_000;

/** encodeURIComponent plus `!'()*`, as @alicloud/openapi-util encodes query values. */
export function acsEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * CanonicalRequest = METHOD, path as sent (with openapi-util's first-occurrence `+`/`*`/`%7E`
 * fix-ups), query sorted by raw key with encoded values, the signed headers (`host`,
 * `content-type`, `x-acs-*`; `x-fc-*` are not signed), the signed-header list, x-acs-content-sha256.
 */
export function acsCanonicalRequest(req: EmuRequest, signedHeaders: string[], payloadHash: string): string {
  const uri = req.rawPath.replace('+', '%20').replace('*', '%2A').replace('%7E', '~');
  const query = [...req.query]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${acsEncode(v)}`)
    .join('&');
  const headers = signedHeaders.map((name) => `${name}:${(header(req, name) ?? '').trim()}\n`).join('');
  return [req.method, uri, query, headers, signedHeaders.join(';'), payloadHash].join('\n');
}

/**
 * Authenticates an ACS3-HMAC-SHA256 request. Timestamp skew (±15 min) is checked against the real
 * wall clock, credential expiry against the emulator clock. Nonces may not repeat within 15 min.
 */
export function verifyAcs3(req: EmuRequest, ctx: EmulatorContext): { caller: Caller } | AcsAuthFailure {
  const auth = parseAuthorization(header(req, 'authorization'));
  if (!auth) return { code: 'missing' };
  const accessKeyId = auth.fields['Credential'];
  const signedHeadersField = auth.fields['SignedHeaders'];
  const signature = auth.fields['Signature'];
  if (auth.scheme !== ALGORITHM || !accessKeyId || !signedHeadersField || !signature) return { code: 'malformed', message: 'The Authorization header is malformed.' };
  const date = header(req, 'x-acs-date');
  const nonce = header(req, 'x-acs-signature-nonce');
  const payloadHash = header(req, 'x-acs-content-sha256');
  if (!date || !nonce || !payloadHash) return { code: 'malformed', message: 'x-acs-date, x-acs-signature-nonce and x-acs-content-sha256 are required.' };
  const time = Date.parse(date);
  const wall = ctx.clock.wallNow().getTime();
  if (Number.isNaN(time) || Math.abs(time - wall) > SKEW_MS) return { code: 'skew' };

  const longLived = ctx.state.accessKey('aliyun', accessKeyId);
  const session = longLived ? undefined : ctx.state.session('aliyun', accessKeyId);
  if (!longLived && !session) return { code: 'unknown-key', accessKeyId };
  const token = header(req, 'x-acs-security-token');
  if (session && token === undefined) return { code: 'missing-token' };
  if ((session && token !== session.token) || (longLived && token !== undefined)) return { code: 'bad-token' };

  const signedHeaders = signedHeadersField.split(';');
  const canonical = acsCanonicalRequest(req, signedHeaders, payloadHash);
  const stringToSign = `${ALGORITHM}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const expected = createHmac('sha256', (longLived ?? session)!.secret).update(stringToSign).digest('hex');
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  const required = ['host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
  if (!sameSignature(expected, signature) || payloadHash !== bodyHash || !required.every((h) => signedHeaders.includes(h))) return { code: 'signature', stringToSign };

  // Only a correctly signed request burns its nonce, so a forged request cannot block a real one.
  pruneNonces(ctx, wall);
  if (ctx.nonces.has(nonce)) return { code: 'nonce-used' };
  ctx.nonces.set(nonce, wall);

  const now = ctx.clock.now();
  if (longLived) {
    if (longLived.status !== 'Active' || (longLived.expiresAt && longLived.expiresAt <= now)) return { code: 'inactive-key', accessKeyId };
    const user = ctx.state.user('aliyun', longLived.userArn);
    if (!user) return { code: 'unknown-key', accessKeyId };
    return { caller: ctx.state.callerForUser(user, accessKeyId) };
  }
  if (session!.expiresAt <= now) return { code: 'expired-token' };
  return { caller: ctx.state.callerForSession(session!) };
}

function pruneNonces(ctx: EmulatorContext, wall: number): void {
  if (ctx.nonces.size < 10_000) return;
  for (const [nonce, at] of ctx.nonces) if (wall - at > SKEW_MS) ctx.nonces.delete(nonce);
}

export function isAcsFailure(result: { caller: Caller } | AcsAuthFailure): result is AcsAuthFailure {
  return 'code' in result;
}
