import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

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
  // The one-shot hash: this runs on every request, and a Hash object per call costs twice as much.
  return hash('sha256', token, 'buffer');
}

export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
