import { describe, expect, it } from 'vitest';
import { CredentialCache, Loaded } from './credential-cache';

const HOUR = 3600_000;
const MIN = 60_000;

/** A clock the test moves by hand. */
function manualClock(start = 1_800_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** A loader that counts its calls and can be told to fail or to hold its answer. */
function loader(clock: { now(): number }, lifetimeMs = HOUR) {
  let calls = 0;
  let fail: Error | undefined;
  let gate: Promise<void> | undefined;
  const load = async (): Promise<Loaded<string>> => {
    calls += 1;
    const n = calls;
    if (gate) await gate;
    if (fail) throw fail;
    return { value: `v${n}`, issuedAt: clock.now(), expiresAt: clock.now() + lifetimeMs, stamp: 's1' };
  };
  return {
    load,
    get calls() {
      return calls;
    },
    failWith(error: Error | undefined) {
      fail = error;
    },
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CredentialCache', () => {
  it('makes one load for many concurrent misses (single flight)', async () => {
    const clock = manualClock();
    const cache = new CredentialCache<string>(clock);
    const l = loader(clock);
    const release = l.hold();
    const all = Array.from({ length: 1000 }, () => cache.get('k', 's1', l.load));
    release();
    const results = await Promise.all(all);
    expect(l.calls).toBe(1);
    expect(new Set(results.map((r) => r.value))).toEqual(new Set(['v1']));
    expect(cache.counters.misses).toBe(1000);
    expect((await cache.get('k', 's1', l.load)).hit).toBe(true);
  });

  it('refreshes once in the background inside the refresh window and keeps serving meanwhile', async () => {
    const clock = manualClock();
    const cache = new CredentialCache<string>(clock);
    const l = loader(clock);
    await cache.get('k', 's1', l.load);
    clock.advance(39 * MIN); // 21 min left: not due yet
    expect((await cache.get('k', 's1', l.load)).value).toBe('v1');
    expect(l.calls).toBe(1);
    clock.advance(2 * MIN); // 19 min left: due, still above the 15 min floor
    const release = l.hold();
    const during = await Promise.all(Array.from({ length: 50 }, () => cache.get('k', 's1', l.load)));
    expect(during.every((r) => r.value === 'v1' && r.hit)).toBe(true);
    expect(l.calls).toBe(2);
    release();
    await settle();
    expect((await cache.get('k', 's1', l.load)).value).toBe('v2');
    expect(l.calls).toBe(2);
    expect(cache.counters.refreshes).toBe(1);
  });

  it('never hands out a value below the floor: it blocks on a new load', async () => {
    const clock = manualClock();
    const cache = new CredentialCache<string>(clock);
    const l = loader(clock);
    await cache.get('k', 's1', l.load);
    l.failWith(new Error('down'));
    clock.advance(46 * MIN); // 14 min left: below the floor
    await expect(cache.get('k', 's1', l.load)).rejects.toThrow('down');
    l.failWith(undefined);
    const fresh = await cache.get('k', 's1', l.load);
    expect(fresh.hit).toBe(false);
    expect(fresh.expiresAt - clock.now()).toBe(HOUR);
  });

  it('keeps serving still-valid values while the cloud fails, reports it, and retries with a pause', async () => {
    const clock = manualClock();
    const cache = new CredentialCache<string>(clock);
    const l = loader(clock);
    await cache.get('k', 's1', l.load);
    l.failWith(new Error('sts down'));
    clock.advance(41 * MIN);
    expect((await cache.get('k', 's1', l.load)).degraded).toBeUndefined();
    await settle();
    const degraded = await cache.get('k', 's1', l.load);
    expect(degraded).toMatchObject({ value: 'v1', hit: true, degraded: 'sts down' });
    expect(l.calls).toBe(2); // no retry before retrySeconds
    clock.advance(11_000);
    await cache.get('k', 's1', l.load);
    await settle();
    expect(l.calls).toBe(3);
    l.failWith(undefined);
    clock.advance(11_000);
    await cache.get('k', 's1', l.load);
    await settle();
    const healed = await cache.get('k', 's1', l.load);
    expect(healed.value).toBe('v4');
    expect(healed.degraded).toBeUndefined();
  });

  it('scales the windows down for short lifetimes', () => {
    const clock = manualClock();
    const cache = new CredentialCache<string>(clock);
    const short = { issuedAt: clock.now(), expiresAt: clock.now() + 15 * MIN };
    expect(cache.refreshAheadMs(short)).toBe(7.5 * MIN);
    expect(cache.floorMs(short)).toBe(3.75 * MIN);
    const long = { issuedAt: clock.now(), expiresAt: clock.now() + 12 * HOUR };
    expect(cache.refreshAheadMs(long)).toBe(20 * MIN);
    expect(cache.floorMs(long)).toBe(15 * MIN);
  });

  it('drops entries of another stamp, on invalidation, and does not store a load invalidated while in flight', async () => {
    const clock = manualClock();
    const cache = new CredentialCache<string>(clock);
    const l = loader(clock);
    await cache.get('c1:3600:-', 's1', l.load);
    await cache.get('c2:3600:-', 's1', l.load);
    expect((await cache.get('c1:3600:-', 's2', async () => ({ ...(await l.load()), stamp: 's2' }))).hit).toBe(false);
    expect(cache.invalidatePrefix('c1:')).toBe(1);
    expect(cache.size).toBe(1);
    const release = l.hold();
    const pending = cache.get('c1:3600:-', 's1', l.load);
    cache.invalidatePrefix('c1:');
    release();
    await pending;
    expect(cache.size).toBe(1);
  });

  it('is bounded (LRU)', async () => {
    const clock = manualClock();
    const cache = new CredentialCache<string>(clock, 3);
    const l = loader(clock);
    for (const key of ['a', 'b', 'c', 'd']) await cache.get(key, 's1', l.load);
    expect(cache.size).toBe(3);
    expect(cache.counters.evictions).toBe(1);
    expect((await cache.get('a', 's1', l.load)).hit).toBe(false);
  });
});
