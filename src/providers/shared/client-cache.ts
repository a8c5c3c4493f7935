import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CloudCredentials } from '../cloud-function-provider';

/**
 * A small cache of SDK clients so repeated calls reuse connections. The key covers the whole
 * credential set (a hash of the secret and token, never the values), so a client is only ever
 * reused for the very same keys: two callers never share one client's credentials.
 */
export class ClientCache<T extends object> {
  private readonly cache: LRUCache<string, T>;

  constructor(max = 128, ttlMs = 15 * 60_000) {
    this.cache = new LRUCache<string, T>({ max, ttl: ttlMs, updateAgeOnGet: false });
  }

  get(key: string, create: () => T): T {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const client = create();
    this.cache.set(key, client);
    return client;
  }

  values(): T[] {
    return [...this.cache.values()];
  }

  clear(): void {
    this.cache.clear();
  }

  get size(): number {
    return this.cache.size;
  }
}

/** `scope|accessKeyId|sha256(secret, token)`; the ambient identity has its own key. */
export function credentialKey(scope: string, creds: CloudCredentials | 'ambient'): string {
  if (creds === 'ambient') return `${scope}|ambient`;
  const digest = createHash('sha256')
    .update(creds.secretAccessKey.reveal())
    .update('\0')
    .update(creds.sessionToken?.reveal() ?? '')
    .digest('base64url')
    .slice(0, 22);
  return `${scope}|${creds.accessKeyId}|${digest}`;
}
