import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { TetherError } from '../common/problem/tether-error';

/** A package written to a private temporary file, with its size, SHA-256 and first bytes. */
export interface SpooledPackage {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** Up to the first four bytes, for the zip signature check. */
  readonly head: Buffer;
  /** Removes the file and its directory; safe to call more than once. */
  dispose(): Promise<void>;
}

/** A zip starts with a local file header (PK\3\4), or is an empty archive (PK\5\6). */
export function looksLikeZip(head: Buffer): boolean {
  return head.length === 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06));
}

export function tooLarge(limitBytes: number): TetherError {
  return new TetherError('code-package-too-large', `The package is larger than TETHER_CODE_PACKAGE_LIMIT_BYTES allows (${limitBytes} bytes); make it smaller or ask the operator for a higher limit.`, { limitBytes });
}

/**
 * Streams an upload to a temporary file while hashing and counting it, so memory stays flat
 * whatever the size, and the cloud upload can state its length and checksum up front (S3, OSS
 * and COS want a Content-Length). Past `limitBytes` it stops reading and throws a 413; on any
 * failure the file is gone before the error reaches the caller.
 */
export async function spoolPackage(body: Readable, limitBytes: number): Promise<SpooledPackage> {
  // Listen before the first await: a request can break off while the temporary directory is made.
  let broken = false;
  const onBroken = () => {
    broken = true;
  };
  body.once('error', onBroken);
  body.once('aborted', onBroken);
  const dir = await mkdtemp(join(tmpdir(), 'tether-package-'));
  const path = join(dir, 'package.zip');
  const dispose = () => rm(dir, { recursive: true, force: true });
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limitBytes) {
        done(tooLarge(limitBytes));
        return;
      }
      if (head.length < 4) head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const file = createWriteStream(path, { mode: 0o600, flags: 'wx' });
  try {
    await new Promise<void>((resolve, reject) => {
      // pipe(), not pipeline(): pipeline would destroy the request, and with it the socket the 413 must go out on.
      const stop = (error: unknown) => {
        body.unpipe(meter);
        // The rest of an oversized body is read and dropped, so the answer can still be sent.
        body.resume();
        meter.destroy();
        file.destroy();
        reject(error);
      };
      const brokenOff = () => stop(new TetherError('malformed-body', 'The upload ended before the whole package arrived; send it again.'));
      if (broken || body.destroyed) {
        brokenOff();
        return;
      }
      body.once('error', brokenOff);
      body.once('aborted', brokenOff);
      meter.once('error', stop);
      file.once('error', stop);
      file.once('finish', resolve);
      body.pipe(meter).pipe(file);
    });
  } catch (error) {
    await dispose();
    throw error;
  } finally {
    body.off('error', onBroken);
    body.off('aborted', onBroken);
  }
  return { path, size, sha256: hash.digest('hex'), head, dispose };
}
