import { randomBytes } from 'node:crypto';
import type { CloudProvider } from '../cloud-identifiers';

/** What one cloud's STS accepts as an ExternalId. */
export interface ExternalIdRule {
  pattern: RegExp;
  minLength: number;
  maxLength: number;
}

/** ExternalId rules per cloud (STS AssumeRole parameter constraints). */
export const EXTERNAL_ID_RULES: Readonly<Record<CloudProvider, ExternalIdRule>> = Object.freeze({
  aws: { pattern: /^[\w+=,.@:/-]{2,1224}$/, minLength: 2, maxLength: 1224 },
  aliyun: { pattern: /^[\w+=,.@:/-]{2,1224}$/, minLength: 2, maxLength: 1224 },
  // Tencent caps ExternalId at 128 characters, well below AWS and Aliyun.
  tencent: { pattern: /^[\w+=,.@:/-]{2,128}$/, minLength: 2, maxLength: 128 },
});

const PREFIX = 'tether-';
// Crockford's base32 alphabet, lower-cased: no i, l, o or u, so an id read aloud or copied by
// hand into a console cannot be mistyped as another valid id.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
// 160 bits (above the 128 the design demands) is exactly 32 base32 characters.
const RANDOM_BYTES = 20;

/** The shape of every External ID Tether generates. */
export const TETHER_EXTERNAL_ID = /^tether-[0-9a-hjkmnp-tv-z]{32}$/;

/** A fresh External ID: `tether-` and 160 bits from the CSPRNG in lower-case Crockford base32 (39 characters). */
export function generateExternalId(): string {
  return PREFIX + toBase32(randomBytes(RANDOM_BYTES));
}

function toBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1; // keep only the bits not yet written, so the buffer never overflows
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Whether `externalId` is accepted by the given cloud's STS. */
export function isValidExternalId(provider: CloudProvider, externalId: string): boolean {
  return EXTERNAL_ID_RULES[provider].pattern.test(externalId);
}
