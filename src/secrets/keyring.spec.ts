import { describe, expect, it } from 'vitest';
import { Keyring, SealError } from './keyring';

const k1 = { id: 'k1', key: Buffer.alloc(32, 1) };
const k2 = { id: 'k2', key: Buffer.alloc(32, 2) };

describe('Keyring', () => {
  it('opens what it sealed, with a fresh nonce every time', () => {
    const keyring = new Keyring([k1]);
    const a = keyring.seal(Buffer.from('hello'), 'ws/1');
    const b = keyring.seal(Buffer.from('hello'), 'ws/1');
    expect(a.sealed.equals(b.sealed)).toBe(false);
    expect(keyring.open(a, 'ws/1').toString()).toBe('hello');
    expect(a.sealed.includes(Buffer.from('hello'))).toBe(false);
  });

  it('refuses changed bytes, other associated data and unknown keys', () => {
    const keyring = new Keyring([k1]);
    const sealed = keyring.seal(Buffer.from('hello'), 'ws/1');
    for (let i = 0; i < sealed.sealed.length; i += 1) {
      const copy = Buffer.from(sealed.sealed);
      copy[i] ^= 0x01;
      expect(() => keyring.open({ keyId: 'k1', sealed: copy }, 'ws/1')).toThrow(SealError);
    }
    expect(() => keyring.open(sealed, 'ws/2')).toThrow(SealError);
    expect(() => new Keyring([k2]).open(sealed, 'ws/1')).toThrow(/not in TETHER_MASTER_KEYS/);
  });

  it('seals with the first key and still opens with the others', () => {
    const old = new Keyring([k1]).seal(Buffer.from('v'), 'ad');
    const rotated = new Keyring([k2, k1]);
    expect(rotated.open(old, 'ad').toString()).toBe('v');
    expect(rotated.seal(Buffer.from('v'), 'ad').keyId).toBe('k2');
  });
});
