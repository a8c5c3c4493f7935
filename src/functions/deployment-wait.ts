import type { DeployedFunction } from '../providers/deployment';

/** How to wait for a function to leave `pending`: injected so tests need not wait for real backoff. */
export interface WaitPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  factor: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_WAIT: WaitPolicy = {
  firstDelayMs: 100,
  maxDelayMs: 2000,
  factor: 1.6,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type WaitOutcome = { settled: true; fn: DeployedFunction } | { settled: false; fn: DeployedFunction | undefined };

/**
 * Polls until the function is no longer pending (active, failed or inactive), with growing
 * delays, for at most `timeoutMs`. The last answer is returned either way: the caller words the
 * timeout, and a failed state carries the cloud's reason.
 */
export async function waitUntilSettled(read: () => Promise<DeployedFunction | undefined>, first: DeployedFunction | undefined, timeoutMs: number, policy: WaitPolicy = DEFAULT_WAIT): Promise<WaitOutcome> {
  const deadline = policy.now() + timeoutMs;
  let fn = first;
  let delay = policy.firstDelayMs;
  while (!fn || fn.state === 'pending') {
    const left = deadline - policy.now();
    if (left <= 0) return { settled: false, fn };
    await policy.sleep(Math.min(delay, left));
    delay = Math.min(policy.maxDelayMs, delay * policy.factor);
    fn = await read();
  }
  return { settled: true, fn };
}
