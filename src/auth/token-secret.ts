import { hash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'tth_';

/** 256 random bits; the prefix makes a leaked token easy to find with secret scanners. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * Tokens carry 256 bits of entropy (or are the operator's long bootstrap token), so a fast
 * hash is enough: there is nothing to brute-force.
 */
export function hashToken(token: string): Buffer {
  return Buffer.from(hashTokenHex(token), 'hex');
}

/**
 * The same hash in hex, what the per-request token cache is keyed by. The one-shot hash runs on
 * every request: a Hash object per call costs twice as much, and on Node 20 its 'buffer' output
 * four times as much as 'hex'.
 */
export function hashTokenHex(token: string): string {
  return hash('sha256', token, 'hex');
}
