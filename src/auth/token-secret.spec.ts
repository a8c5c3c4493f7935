import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, hashTokenHex } from './token-secret';

describe('token hashing', () => {
  it('hashes with SHA-256, as a Buffer for the database and hex for the cache', () => {
    const token = generateToken();
    const expected = createHash('sha256').update(token).digest();
    expect(hashToken(token).equals(expected)).toBe(true);
    expect(hashTokenHex(token)).toBe(expected.toString('hex'));
  });
});
