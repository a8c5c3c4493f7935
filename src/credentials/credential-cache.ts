import { LRUCache } from 'lru-cache';
import { Clock, systemClock } from '../common/cache/ttl-cache';
import { PromiseOrValue } from '../common/promise-or-value';

export { type Clock, systemClock } from '../common/cache/ttl-cache';

/** What a loader hands back: a value and its lifetime, as the cloud stated it. */
export interface Loaded<V> {
  value: V;
  /** When the cloud says the value stops working (ms). */
  expiresAt: number;
  /** When it was issued (ms): refresh points are fractions of the lifetime. */
  issuedAt: number;
  /** Opaque version of what the value was made from (connection version, secret versions). */
  stamp: string;
  /** False when the loader found the value elsewhere (the fleet's shared table) without calling the cloud. */
  minted?: boolean;
}

interface Entry<V> extends Loaded<V> {
  /** The last background refresh failure, reported with every hit until a refresh succeeds. */
  failure?: { message: string; at: number };
  /** No background refresh before this (ms): a failing cloud is not hammered by every hit. */
  retryAfter: number;
}

export interface CacheTiming {
  /** Refresh in the background when fewer than this many seconds remain (botocore's advisory window is 15 min). */
  refreshAheadSeconds: number;
  /** Never hand out a value with less life than this (botocore blocks at 10 min, so 15 min keeps it quiet). */
  floorSeconds: number;
  /** For short lifetimes the windows shrink to these fractions of the lifetime. */
  refreshAheadFraction: number;
  floorFraction: number;
  /** Wait between background refresh attempts while the cloud fails. */
  retrySeconds: number;
}

/** clouds.md §7.3: renew when fewer than ~20 min remain, never serve with less than 15 min. */
export const DEFAULT_TIMING: CacheTiming = { refreshAheadSeconds: 1200, floorSeconds: 900, refreshAheadFraction: 0.5, floorFraction: 0.25, retrySeconds: 10 };

export interface CacheCounters {
  hits: number;
  misses: number;
  /** Background refreshes started (an entry inside its refresh window). */
  refreshes: number;
  /** Loads that ended with a cloud call (the loader says so through {@link CredentialCache.countCloudCall}). */
  stsCalls: number;
  /** Loads answered from the fleet's shared table instead. */
  sharedHits: number;
  /** Loads that failed. */
  failures: number;
  /** Hits served while the last refresh had failed. */
  degradedHits: number;
  evictions: number;
}

/** A cache answer: the value, whether it came from memory, and a failed refresh if one is pending. */
export interface CacheResult<V> {
  value: V;
  expiresAt: number;
  hit: boolean;
  /** This answer waited for a load that called the cloud. */
  minted: boolean;
  /** Set when the value is still valid but refreshing it failed: report it, keep going. */
  degraded?: string;
}

/**
 * The broker's in-process cache: bounded (LRU), single flight per key, refresh ahead of expiry in
 * the background, block only when an entry is below its floor. Pure: time comes from the clock,
 * loads from the caller, so it is tested without a cloud or a sleep.
 */
export class CredentialCache<V> {
  readonly counters: CacheCounters = { hits: 0, misses: 0, refreshes: 0, stsCalls: 0, sharedHits: 0, failures: 0, degradedHits: 0, evictions: 0 };
  private readonly entries: LRUCache<string, Entry<V>>;
  private readonly inflight = new Map<string, Promise<Entry<V>>>();
  /** Bumped per key on invalidation, so a load started before it is not stored after it. */
  private readonly generations = new Map<string, number>();
  private generation = 0;

  constructor(
    private clock: Clock = systemClock,
    readonly maxEntries = 10_000,
    readonly timing: CacheTiming = DEFAULT_TIMING,
  ) {
    this.entries = new LRUCache<string, Entry<V>>({ max: maxEntries, dispose: (_value, _key, reason) => { if (reason === 'evict') this.counters.evictions += 1; } });
  }

  /** Test hook: move time. */
  useClock(clock: Clock): void {
    this.clock = clock;
  }

  now(): number {
    return this.clock.now();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Seconds before expiry at which an entry of this lifetime is refreshed in the background. */
  refreshAheadMs(entry: Pick<Loaded<V>, 'expiresAt' | 'issuedAt'>): number {
    const lifetime = Math.max(0, entry.expiresAt - entry.issuedAt);
    return Math.min(this.timing.refreshAheadSeconds * 1000, lifetime * this.timing.refreshAheadFraction);
  }

  /** Least remaining life an entry of this lifetime may be handed out with. */
  floorMs(entry: Pick<Loaded<V>, 'expiresAt' | 'issuedAt'>): number {
    const lifetime = Math.max(0, entry.expiresAt - entry.issuedAt);
    return Math.min(this.timing.floorSeconds * 1000, lifetime * this.timing.floorFraction);
  }

  /** Whether a stored value (here or in the shared table) should be replaced now. */
  isDue(entry: Pick<Loaded<V>, 'expiresAt' | 'issuedAt'>): boolean {
    return entry.expiresAt - this.clock.now() <= this.refreshAheadMs(entry);
  }

  /** Whether a value may still be handed out. */
  isUsable(entry: Pick<Loaded<V>, 'expiresAt' | 'issuedAt'>): boolean {
    return entry.expiresAt - this.clock.now() > this.floorMs(entry);
  }

  /**
   * The value for `key`. `stamp` is the current version of what the value is made from; an entry
   * with another stamp is never used. `load` is called at most once at a time per key. A hit is
   * answered at once, without a promise.
   */
  get(key: string, stamp: string, load: () => Promise<Loaded<V>>): PromiseOrValue<CacheResult<V>> {
    let entry = this.entries.get(key);
    if (entry && entry.stamp !== stamp) {
      this.entries.delete(key);
      entry = undefined;
    }
    if (entry && this.isUsable(entry)) {
      this.counters.hits += 1;
      if (this.isDue(entry) && !this.inflight.has(key) && this.clock.now() >= entry.retryAfter) {
        this.counters.refreshes += 1;
        // Background: callers keep the current value; a failure is kept on the entry and reported.
        void this.load(key, load).catch(() => undefined);
      }
      if (entry.failure) {
        this.counters.degradedHits += 1;
        return { value: entry.value, expiresAt: entry.expiresAt, hit: true, minted: false, degraded: entry.failure.message };
      }
      return { value: entry.value, expiresAt: entry.expiresAt, hit: true, minted: false };
    }
    this.counters.misses += 1;
    return this.waitFor(key, load);
  }

  /** A miss, or an entry below its floor: the caller waits for the (single-flight) load. */
  private async waitFor(key: string, load: () => Promise<Loaded<V>>): Promise<CacheResult<V>> {
    const loaded = await this.load(key, load);
    if (!this.isUsable(loaded)) {
      throw new Error('the credentials obtained are already below the minimum remaining lifetime; the cloud clock or the requested duration is off');
    }
    return { value: loaded.value, expiresAt: loaded.expiresAt, hit: false, minted: loaded.minted !== false };
  }

  /** Single flight: joins the load in progress for the key, or starts one. */
  private load(key: string, load: () => Promise<Loaded<V>>): Promise<Entry<V>> {
    const running = this.inflight.get(key);
    if (running) return running;
    const generation = this.generations.get(key) ?? this.generation;
    const promise = (async () => {
      try {
        const loaded = await load();
        const entry: Entry<V> = { ...loaded, retryAfter: 0 };
        if ((this.generations.get(key) ?? this.generation) === generation) this.entries.set(key, entry);
        return entry;
      } catch (error) {
        this.counters.failures += 1;
        const current = this.entries.get(key);
        if (current) {
          current.failure = { message: error instanceof Error ? error.message : String(error), at: this.clock.now() };
          current.retryAfter = this.clock.now() + this.timing.retrySeconds * 1000;
        }
        throw error;
      } finally {
        this.inflight.delete(key);
        this.generations.delete(key);
      }
    })();
    this.inflight.set(key, promise);
    return promise;
  }

  /** Drops every entry whose key starts with `prefix` (a connection's id). */
  invalidatePrefix(prefix: string): number {
    let dropped = 0;
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        dropped += 1;
      }
    }
    for (const key of this.inflight.keys()) if (key.startsWith(prefix)) this.generations.set(key, (this.generations.get(key) ?? this.generation) + 1);
    return dropped;
  }

  clear(): void {
    this.entries.clear();
    this.generation += 1;
    this.generations.clear();
  }
}
