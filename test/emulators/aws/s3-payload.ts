import { createHash } from 'node:crypto';
import { type EmuRequest, header } from '../core/http';

/** An upload body as S3 stores it: de-chunked, with the trailing headers an aws-chunked body carried. */
export interface UploadPayload {
  body: Buffer;
  trailers: Record<string, string>;
}

/**
 * Undoes `Content-Encoding: aws-chunked` (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n`).
 * The SDKs put flexible checksums (`x-amz-checksum-crc32:…`) in the trailers of streamed uploads.
 */
export function decodeAwsChunked(raw: Buffer): UploadPayload {
  const parts: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let offset = 0;
  while (offset < raw.length) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) break;
    if (size === 0) {
      for (const line of raw.subarray(lineEnd + 2).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      break;
    }
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return { body: Buffer.concat(parts), trailers };
}

/** The body of a PutObject, de-chunked when the SDK streamed it. */
export function uploadPayload(req: EmuRequest): UploadPayload {
  const chunked = (header(req, 'content-encoding') ?? '').includes('aws-chunked') || (header(req, 'x-amz-content-sha256') ?? '').startsWith('STREAMING-');
  return chunked ? decodeAwsChunked(req.body) : { body: req.body, trailers: {} };
}

const CRC32_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE), the SDKs' default flexible checksum; node:zlib only has it from Node 22. */
export function crc32(data: Buffer): Buffer {
  let c = 0xffffffff;
  for (const byte of data) c = CRC32_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return out;
}

/** Algorithms whose value the emulator recomputes; others (CRC32C, CRC64NVME, SHA1) are kept unverified. */
const VERIFIED: Record<string, (body: Buffer) => Buffer> = {
  sha256: (body) => createHash('sha256').update(body).digest(),
  crc32,
};

export interface ChecksumCheck {
  /** algorithm -> base64 value, as sent. */
  checksums: Record<string, string>;
  /** The first algorithm whose value does not match the body, upper-case as S3 names it. */
  mismatch?: string;
}

/** Reads `x-amz-checksum-<algorithm>` from the headers or the aws-chunked trailers and checks what it can. */
export function checkChecksums(req: EmuRequest, payload: UploadPayload): ChecksumCheck {
  const checksums: Record<string, string> = {};
  const sources: Array<[string, string]> = [...Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')] as [string, string]), ...Object.entries(payload.trailers)];
  for (const [name, value] of sources) {
    const m = /^x-amz-checksum-([a-z0-9]+)$/.exec(name.toLowerCase());
    if (m && m[1] !== 'type' && m[1] !== 'algorithm' && m[1] !== 'mode') checksums[m[1]!] = value;
  }
  for (const [algorithm, value] of Object.entries(checksums)) {
    const compute = VERIFIED[algorithm];
    if (compute && compute(payload.body).toString('base64') !== value) return { checksums, mismatch: algorithm.toUpperCase() };
  }
  return { checksums };
}

/** `x-amz-meta-*` request headers as user metadata: lower-case names without the prefix. */
export function userMetadata(req: EmuRequest): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.toLowerCase().startsWith('x-amz-meta-') && value !== undefined) metadata[name.toLowerCase().slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  return metadata;
}
