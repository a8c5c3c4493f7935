import { LRUCache } from 'lru-cache';

/** Milliseconds since the epoch; injected so expiry is tested without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

interface Stored<V> {
  value: V;
  storedAt: number;
}

/**
 * A bounded (LRU) in-process cache whose entries live at most `ttlMs`: what this process reads
 * from the database on the hot path (tokens, connections). Changes made in this process drop
 * entries at once ({@link deleteWhere}); changes made by other replicas are seen within `ttlMs`,
 * the bound this cache trades for not reading the database on every request.
 */
export class TtlCache<V> {
  private readonly entries: LRUCache<string, Stored<V>>;
  /** Bumped by every invalidation: a load that started before one must not store what it read. */
  private generation = 0;

  constructor(
    readonly ttlMs: number,
    readonly maxEntries = 10_000,
    private clock: Clock = systemClock,
  ) {
    this.entries = new LRUCache<string, Stored<V>>({ max: maxEntries });
  }

  /** Test hook: move time. */
  useClock(clock: Clock): void {
    this.clock = clock;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, unless it is absent or older than the TTL. */
  get(key: string): V | undefined {
    const stored = this.entries.get(key);
    if (!stored) return undefined;
    if (this.clock.now() - stored.storedAt >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return stored.value;
  }

  /** Call before reading the source; pass the answer to {@link set}. */
  mark(): number {
    return this.generation;
  }

  /**
   * Stores a value read from the source after `mark()` returned `since`. Dropped when something
   * was invalidated meanwhile: the read may predate that change (a token deleted while it was
   * being looked up must not come back for a whole TTL).
   */
  set(key: string, value: V, since: number): void {
    if (this.ttlMs <= 0 || since !== this.generation) return;
    this.entries.set(key, { value, storedAt: this.clock.now() });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry the predicate picks (a deleted token, an edited connection). */
  deleteWhere(picks: (value: V) => boolean): number {
    this.generation += 1;
    let dropped = 0;
    for (const [key, stored] of [...this.entries.entries()]) {
      if (picks(stored.value)) {
        this.entries.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
