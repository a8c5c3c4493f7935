/**
 * CRC-64/ECMA-182 as OSS (`x-oss-hash-crc64ecma`) and FC (`codeChecksum`) report it: the reflected
 * ECMA polynomial with all-ones init and final xor (also known as CRC-64/XZ), as a decimal string.
 * The 64-bit register is kept as two 32-bit halves so a package of megabytes stays quick.
 */
const POLY_HI = 0xc96c5795;
const POLY_LO = 0xd7870f42;

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[n] = hi;
  TABLE_LO[n] = lo;
}

export function crc64(data: Uint8Array): string {
  let hi = 0xffffffff;
  let lo = 0xffffffff;
  for (const byte of data) {
    const index = (lo ^ byte) & 0xff;
    // crc = TABLE[index] ^ (crc >> 8)
    const shiftedLo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0;
    const shiftedHi = hi >>> 8;
    lo = (TABLE_LO[index]! ^ shiftedLo) >>> 0;
    hi = (TABLE_HI[index]! ^ shiftedHi) >>> 0;
  }
  return ((BigInt((hi ^ 0xffffffff) >>> 0) << 32n) | BigInt((lo ^ 0xffffffff) >>> 0)).toString();
}
