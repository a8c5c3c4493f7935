import { createHash } from 'node:crypto';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { FunctionBehaviour } from './state';

/**
 * Code packages as the emulated clouds see them. A package is a zip; the emulator cannot run the
 * code inside, so a deployed function behaves as the package's `emulator.json` says (the same
 * behaviours the admin API takes), and echoes its event when the file is absent.
 */
export const BEHAVIOUR_FILE = 'emulator.json';

export class BadPackageError extends Error {}

/** The package is a zip, but its {@link BEHAVIOUR_FILE} is unreadable: the clouds accept it, the deployment then fails. */
export class BadBehaviourFileError extends BadPackageError {}

/** The behaviour a package asks for; throws {@link BadPackageError} for anything that is not a zip. */
export function behaviourOfPackage(zip: Buffer): FunctionBehaviour {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength));
  } catch {
    throw new BadPackageError('the code package is not a valid zip file');
  }
  const spec = files[BEHAVIOUR_FILE];
  if (!spec) return { type: 'echo' };
  try {
    const parsed = JSON.parse(strFromU8(spec)) as FunctionBehaviour;
    if (typeof parsed?.type !== 'string') throw new Error('no type');
    return parsed;
  } catch {
    throw new BadBehaviourFileError(`${BEHAVIOUR_FILE} in the code package is not a behaviour object`);
  }
}

/** Builds a package for tests: a handler file plus the behaviour the emulator should give it. */
export function buildPackage(behaviour: FunctionBehaviour, files: Record<string, string> = { 'index.py': 'def handler(event, context):\n    return event\n' }): Buffer {
  const entries: Record<string, Uint8Array> = { [BEHAVIOUR_FILE]: strToU8(JSON.stringify(behaviour)) };
  for (const [name, text] of Object.entries(files)) entries[name] = strToU8(text);
  // A fixed mtime keeps the same inputs byte-identical, so their SHA-256 is too.
  return Buffer.from(zipSync(entries, { mtime: new Date('2026-01-01T00:00:00Z') }));
}

export function sha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}
