import { LRUCache } from 'lru-cache';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * A token bucket per API token: `perMinute` requests a minute on average, bursts up to the same
 * number. Kept per process (each replica enforces it alone), bounded so that many tokens cannot
 * grow it without limit.
 */
export class RateLimiter {
  private readonly buckets = new LRUCache<string, Bucket>({ max: 100_000 });
  private readonly refillPerMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.refillPerMs = perMinute / 60_000;
  }

  /** Takes one request from the caller's bucket; when empty, the seconds until one is back. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    // get() already marks a known bucket as recently used; only a new one needs storing.
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { tokens: this.perMinute, updatedMs: now }));
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedMs) * this.refillPerMs);
    bucket.updatedMs = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000)) };
  }
}
