import { describe, expect, it } from 'vitest';
import { ProviderError } from '../providers/provider-error';
import { backoffMs, isRetryable, withRetry } from './retry';

const throttled = (retryAfterSeconds?: number) => new ProviderError({ kind: 'throttled', provider: 'aws', operation: 'lambda:Invoke', cloudCode: 'TooManyRequestsException', ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

describe('retry', () => {
  it('retries throttling and 5xx, never timeouts, refusals or function errors', () => {
    expect(isRetryable(throttled())).toBe(true);
    expect(isRetryable(new ProviderError({ kind: 'unavailable', provider: 'aliyun', operation: 'fc:InvokeFunction', cloudCode: 'ServiceUnavailable' }))).toBe(true);
    expect(isRetryable(new ProviderError({ kind: 'unavailable', provider: 'aws', operation: 'lambda:Invoke', cloudCode: 'ETIMEDOUT' }))).toBe(false);
    expect(isRetryable(new ProviderError({ kind: 'access_denied', provider: 'aws', operation: 'lambda:Invoke' }))).toBe(false);
    expect(isRetryable(new Error('function error'))).toBe(false);
  });

  it('backs off exponentially with full jitter, capped, and honours Retry-After', () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffMs(n, { ...policy, random: () => 0.999 }))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffMs(3, { ...policy, random: () => 0 })).toBe(0);
    expect(backoffMs(0, { ...policy, random: () => 0 }, 0.5)).toBe(500);
  });

  it('stops after maxAttempts and counts retries', async () => {
    const waits: number[] = [];
    let calls = 0;
    let retries = 0;
    const sleep = async (ms: number) => void waits.push(ms);
    await expect(withRetry(async () => { calls += 1; throw throttled(); }, { ...policy, random: () => 0.5, sleep }, () => (retries += 1))).rejects.toThrow(/throttled/);
    expect(calls).toBe(4);
    expect(retries).toBe(3);
    expect(waits).toEqual([50, 100, 200]);
    calls = 0;
    expect(await withRetry(async () => (++calls < 3 ? Promise.reject(throttled()) : 'ok'), { ...policy, sleep })).toBe('ok');
  });
});
