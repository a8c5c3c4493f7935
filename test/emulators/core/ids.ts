import { randomBytes, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export const ids = {
  requestId: (): string => randomUUID(),
  upper: (length: number): string => pick(UPPER_ALNUM, length),
  alnum: (length: number): string => pick(ALNUM, length),
  digits: (length: number): string => {
    let out = String(1 + (randomBytes(1)[0]! % 9));
    while (out.length < length) out += String(randomBytes(1)[0]! % 10);
    return out;
  },
  secret: (length = 40): string => pick(ALNUM + '+/', length),
  /** Session tokens are long opaque base64 strings on every cloud; their length is not fixed. */
  token: (prefix: string, bytes = 180): string => prefix + randomBytes(bytes).toString('base64'),
  hex: (length: number): string => randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length),
};
