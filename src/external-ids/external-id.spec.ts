import { describe, expect, it } from 'vitest';
import { CLOUD_PROVIDERS } from '../cloud-identifiers';
import { EXTERNAL_ID_RULES, generateExternalId, isValidExternalId, TETHER_EXTERNAL_ID } from './external-id';

describe('generateExternalId', () => {
  const ids = Array.from({ length: 10_000 }, () => generateExternalId());

  it('never repeats in 10,000 ids', () => {
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is accepted by every cloud, within each length limit', () => {
    for (const provider of CLOUD_PROVIDERS) {
      const rule = EXTERNAL_ID_RULES[provider];
      const refused = ids.filter((id) => !rule.pattern.test(id) || id.length < rule.minLength || id.length > rule.maxLength);
      expect(refused, provider).toEqual([]);
    }
  });

  it('is tether- and 32 unambiguous base32 characters (160 bits)', () => {
    for (const id of ids) expect(id).toMatch(TETHER_EXTERNAL_ID);
    expect(ids[0]).toHaveLength('tether-'.length + 32);
    // Crockford's alphabet leaves out i, l, o and u, which are misread as 1, 1, 0 and v.
    expect(ids.filter((id) => /[ilou]/.test(id.slice('tether-'.length)))).toEqual([]);
  });

  it('uses every character of the alphabet in every position (no stuck bits)', () => {
    const seen = Array.from({ length: 32 }, () => new Set<string>());
    for (const id of ids) [...id.slice('tether-'.length)].forEach((char, position) => seen[position]?.add(char));
    for (const characters of seen) expect(characters.size).toBe(32);
  });
});

describe('EXTERNAL_ID_RULES', () => {
  it('holds Tencent to 128 characters while AWS and Aliyun take 1224', () => {
    const long = 'a'.repeat(129);
    expect(isValidExternalId('aws', long)).toBe(true);
    expect(isValidExternalId('aliyun', long)).toBe(true);
    expect(isValidExternalId('tencent', long)).toBe(false);
    expect(isValidExternalId('aws', 'a'.repeat(1225))).toBe(false);
  });

  it('accepts the documented characters and refuses others', () => {
    expect(isValidExternalId('aws', 'a+b=c,d.e@f:g/h-i_j')).toBe(true);
    expect(isValidExternalId('tencent', 'a+b=c,d.e@f:g/h-i_j')).toBe(true);
    expect(isValidExternalId('aliyun', 'has space')).toBe(false);
    expect(isValidExternalId('aws', 'x')).toBe(false);
    expect(isValidExternalId('tencent', 'semi;colon')).toBe(false);
  });
});
