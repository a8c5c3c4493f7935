import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TetherError } from '../common/problem/tether-error';
import { looksLikeZip, spoolPackage } from './package-spool';

const chunks = (body: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(body.length / size) }, (_, i) => body.subarray(i * size, (i + 1) * size)));

describe('spoolPackage', () => {
  it('writes the body to a private file with its size, SHA-256 and first bytes, and removes it on dispose', async () => {
    const body = Buffer.concat([Buffer.from('PK\u0003\u0004'), randomBytes(50_000)]);
    const spooled = await spoolPackage(chunks(body, 1), body.length);
    try {
      expect(spooled.size).toBe(body.length);
      expect(spooled.sha256).toBe(createHash('sha256').update(body).digest('hex'));
      expect(looksLikeZip(spooled.head)).toBe(true);
      expect(readFileSync(spooled.path).equals(body)).toBe(true);
    } finally {
      await spooled.dispose();
    }
    expect(existsSync(spooled.path)).toBe(false);
  });

  it('stops at the limit with a 413, drains the rest, and leaves no file behind', async () => {
    const body = randomBytes(10_000);
    const source = chunks(body, 1000);
    const ended = new Promise((resolve) => source.once('end', resolve));
    const error = await spoolPackage(source, 4_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TetherError);
    expect((error as TetherError).code).toBe('code-package-too-large');
    // The source is not destroyed (its socket carries the answer): it is read to the end.
    await ended;
    expect(source.readableEnded).toBe(true);
  });

  it('answers malformed-body when the upload breaks off', async () => {
    const source = new Readable({ read() {} });
    const spooling = spoolPackage(source, 1_000_000);
    source.push(Buffer.from('PK'));
    source.destroy(new Error('socket hang up'));
    await expect(spooling).rejects.toMatchObject({ code: 'malformed-body' });
  });
});

describe('looksLikeZip', () => {
  it('knows the local-file and empty-archive signatures', () => {
    expect(looksLikeZip(Buffer.from([0x50, 0x4b, 0x03, 0x04]))).toBe(true);
    expect(looksLikeZip(Buffer.from([0x50, 0x4b, 0x05, 0x06]))).toBe(true);
    expect(looksLikeZip(Buffer.from('just'))).toBe(false);
    expect(looksLikeZip(Buffer.from([0x50, 0x4b]))).toBe(false);
  });
});
