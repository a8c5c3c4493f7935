import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from 'pino';
import { MasterKey, TetherConfig } from '../config/load-config';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Sealed bytes and the id of the key that sealed them. */
export interface Sealed {
  readonly keyId: string;
  readonly sealed: Buffer;
}

/**
 * AES-256-GCM under a keyring: the first key seals, every key opens, so keys rotate by
 * prepending a new one and running `npm run reseal`. Associated data binds a ciphertext to the
 * row it belongs to, so a ciphertext copied to another row fails to open.
 */
export class Keyring {
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(private readonly keys: readonly MasterKey[]) {
    if (keys.length === 0) throw new Error('a keyring needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.keys[0].id;
  }

  seal(plaintext: Buffer, associatedData: string): Sealed {
    const { id, key } = this.keys[0];
    // A random 96-bit nonce per seal; GCM must never reuse one under the same key.
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId: id, sealed: Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]) };
  }

  /** Throws {@link SealError} when the key is unknown or the bytes or their binding were changed. */
  open({ keyId, sealed }: Sealed, associatedData: string): Buffer {
    const key = this.byId.get(keyId);
    if (!key) throw new SealError(`sealed under key '${keyId}', which is not in TETHER_MASTER_KEYS`);
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new SealError('sealed value is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(sealed.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new SealError('sealed value failed authentication (changed, or moved from another row)');
    }
  }
}

export class SealError extends Error {
  override name = 'SealError';
}

/**
 * The configured keyring, or a development key kept in the data dir. The development key makes
 * a first start work with no setup; anyone who can read the data dir can open the secrets.
 */
export function loadKeyring(config: TetherConfig, logger: Logger): Keyring {
  if (config.masterKeys) return new Keyring(config.masterKeys);
  const path = join(config.database.dataDir, 'master.key');
  if (!existsSync(path)) {
    mkdirSync(config.database.dataDir, { recursive: true });
    writeFileSync(path, `dev:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  logger.warn(
    { keyFile: path },
    'TETHER_MASTER_KEYS is not set: secrets are sealed with a DEVELOPMENT key stored next to the data. Set TETHER_MASTER_KEYS in production.',
  );
  const [id, encoded] = readFileSync(path, 'utf8').trim().split(':');
  return new Keyring([{ id, key: Buffer.from(encoded, 'base64') }]);
}
