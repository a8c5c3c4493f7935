import { describe, expect, it } from 'vitest';
import type { DeployedFunction } from '../providers/deployment';
import { waitUntilSettled, WaitPolicy } from './deployment-wait';

const fn = (state: DeployedFunction['state']): DeployedFunction => ({ name: 'f', state, runtime: 'python3.12', handler: 'index.handler', memoryMb: 128, timeoutSeconds: 3, environmentKeys: [] });

/** A clock that only moves when the waiter sleeps. */
function fakeClock(): WaitPolicy & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return { firstDelayMs: 100, maxDelayMs: 1000, factor: 2, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)), slept };
}

describe('waitUntilSettled', () => {
  it('does not poll a function that is already active', async () => {
    const clock = fakeClock();
    const outcome = await waitUntilSettled(async () => fn('pending'), fn('active'), 5000, clock);
    expect(outcome).toEqual({ settled: true, fn: fn('active') });
    expect(clock.slept).toEqual([]);
  });

  it('polls with growing delays until the function leaves pending', async () => {
    const clock = fakeClock();
    const states: DeployedFunction['state'][] = ['pending', 'pending', 'pending', 'failed'];
    const outcome = await waitUntilSettled(async () => fn(states.shift()!), fn('pending'), 60_000, clock);
    expect(outcome).toEqual({ settled: true, fn: fn('failed') });
    expect(clock.slept).toEqual([100, 200, 400, 800]);
  });

  it('gives up at the deadline, never sleeping past it', async () => {
    const clock = fakeClock();
    const outcome = await waitUntilSettled(async () => fn('pending'), undefined, 1000, clock);
    expect(outcome).toEqual({ settled: false, fn: fn('pending') });
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(1000);
  });
});
