import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache';

/** A clock the test moves by hand. */
function manualClock(start = 1_800_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TtlCache', () => {
  it('keeps a value for its TTL and not a millisecond longer', () => {
    const clock = manualClock();
    const cache = new TtlCache<string>(5000, 100, clock);
    cache.set('a', 'one', cache.mark());
    clock.advance(4999);
    expect(cache.get('a')).toBe('one');
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('measures the TTL from when the value was stored, not from when it was last read', () => {
    const clock = manualClock();
    const cache = new TtlCache<string>(5000, 100, clock);
    cache.set('a', 'one', cache.mark());
    clock.advance(3000);
    expect(cache.get('a')).toBe('one');
    clock.advance(3000);
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops what the predicate picks at once, and leaves the rest', () => {
    const clock = manualClock();
    const cache = new TtlCache<{ tokenId: string }>(5000, 100, clock);
    const since = cache.mark();
    cache.set('h1', { tokenId: 't1' }, since);
    cache.set('h2', { tokenId: 't2' }, since);
    expect(cache.deleteWhere((v) => v.tokenId === 't1')).toBe(1);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toEqual({ tokenId: 't2' });
  });

  it('does not store a value read before an invalidation that happened while it was read', () => {
    const cache = new TtlCache<string>(5000, 100, manualClock());
    const since = cache.mark();
    // ... the database is read here; meanwhile the token is deleted:
    cache.deleteWhere(() => true);
    cache.set('a', 'stale', since);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 'fresh', cache.mark());
    expect(cache.get('a')).toBe('fresh');
  });

  it('stores nothing with a TTL of zero', () => {
    const cache = new TtlCache<string>(0, 100, manualClock());
    cache.set('a', 'one', cache.mark());
    expect(cache.get('a')).toBeUndefined();
  });

  it('is bounded: the least recently used entry goes first', () => {
    const cache = new TtlCache<number>(5000, 2, manualClock());
    const since = cache.mark();
    cache.set('a', 1, since);
    cache.set('b', 2, since);
    cache.get('a');
    cache.set('c', 3, since);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('follows a clock swapped in later', () => {
    const cache = new TtlCache<string>(5000, 100, manualClock());
    cache.set('a', 'one', cache.mark());
    const later = manualClock(1_800_000_000_000 + 10_000);
    cache.useClock(later);
    expect(cache.get('a')).toBeUndefined();
  });
});
