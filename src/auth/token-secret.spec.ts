import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, hashTokenHex, sameHash } from './token-secret';

describe('token hashing', () => {
  it('hashes with SHA-256, as a Buffer for the database and hex for the cache', () => {
    const token = generateToken();
    const expected = createHash('sha256').update(token).digest();
    expect(hashToken(token).equals(expected)).toBe(true);
    expect(hashTokenHex(token)).toBe(expected.toString('hex'));
  });

  it('compares digests: equal ones only, whatever their length or where they differ', () => {
    const digest = hashTokenHex('tth_a');
    expect(sameHash(digest, hashTokenHex('tth_a'))).toBe(true);
    expect(sameHash(digest, hashTokenHex('tth_b'))).toBe(false);
    expect(sameHash(digest, `${digest.slice(0, -1)}${digest.endsWith('0') ? '1' : '0'}`)).toBe(false);
    expect(sameHash(digest, digest.slice(0, 32))).toBe(false);
  });
});
