import { isProviderError } from '../providers/provider-error';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 5000 };

/**
 * A failure worth another attempt: the cloud throttled us or failed (5xx, unreachable). A
 * function error is an outcome, never retried here; neither is our own deadline (`Timeout`),
 * because a synchronous function that overran may still be running and may not be idempotent.
 */
export function isRetryable(error: unknown): boolean {
  return isProviderError(error) && (error.kind === 'throttled' || error.kind === 'unavailable') && !isTimeout(error);
}

/** Codes under which the providers report a call that ran out of time (our deadline, the HTTP client's, the socket's). */
const TIMEOUT_CODES = new Set(['Timeout', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutError', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Whether a provider failure is a call that did not answer in time. */
export function isTimeout(error: unknown): boolean {
  return isProviderError(error) && error.kind === 'unavailable' && error.cloudCode !== undefined && TIMEOUT_CODES.has(error.cloudCode);
}

/** Exponential backoff with full jitter (a random wait in [0, min(cap, base·2^n)]), never below the cloud's Retry-After. */
export function backoffMs(attempt: number, policy: RetryPolicy, retryAfterSeconds?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.floor((policy.random ?? Math.random)() * ceiling);
  return retryAfterSeconds !== undefined ? Math.max(jittered, Math.min(retryAfterSeconds * 1000, policy.maxDelayMs)) : jittered;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `call`, retrying retryable failures; `onRetry` counts them. */
export async function withRetry<T>(call: () => Promise<T>, policy: RetryPolicy, onRetry: () => void = () => undefined): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryable(error) || attempt + 1 >= policy.maxAttempts) throw error;
      onRetry();
      const retryAfter = isProviderError(error) ? error.retryAfterSeconds : undefined;
      await (policy.sleep ?? realSleep)(backoffMs(attempt, policy, retryAfter));
    }
  }
}
