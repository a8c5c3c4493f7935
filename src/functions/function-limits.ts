import type { CloudProvider } from '../cloud-identifiers';
import { TetherError } from '../common/problem/tether-error';

export type InvocationMode = 'sync' | 'async';

interface PayloadLimit {
  bytes: number;
  /** How the cloud's documentation names the limit, for the 413. */
  name: string;
}

const MiB = 1024 * 1024;

/**
 * Each cloud's documented request payload limits (reference/clouds.md §5). Checked before a byte
 * is sent, so an oversized call costs neither a round trip nor an invocation.
 */
export const PAYLOAD_LIMITS: Readonly<Record<CloudProvider, Readonly<Record<InvocationMode, PayloadLimit>>>> = {
  // Lambda: 6 MB each way for RequestResponse; 1 MB for Event since October 2025 (was 256 KB).
  aws: { sync: { bytes: 6 * MiB, name: 'AWS Lambda\'s 6 MB synchronous invocation payload limit' }, async: { bytes: 1 * MiB, name: 'AWS Lambda\'s 1 MB asynchronous invocation payload limit' } },
  // FC 2.0 InvokeFunction: 32 MB Sync, 128 KB Async.
  aliyun: { sync: { bytes: 32 * MiB, name: 'Function Compute\'s 32 MB synchronous invocation payload limit' }, async: { bytes: 128 * 1024, name: 'Function Compute\'s 128 KB asynchronous invocation payload limit' } },
  // SCF Invoke: ClientContext up to 6 MB RequestResponse, 128 KB Event.
  tencent: { sync: { bytes: 6 * MiB, name: 'SCF\'s 6 MB synchronous invocation payload limit' }, async: { bytes: 128 * 1024, name: 'SCF\'s 128 KB asynchronous invocation payload limit' } },
};

export function payloadLimit(provider: CloudProvider, mode: InvocationMode): PayloadLimit {
  return PAYLOAD_LIMITS[provider][mode];
}

/** Throws a 413 naming the cloud's limit when `bytes` exceeds it. */
export function checkPayloadSize(provider: CloudProvider, mode: InvocationMode, bytes: number, what = 'The payload'): void {
  const limit = payloadLimit(provider, mode);
  if (bytes > limit.bytes) {
    throw new TetherError('function-payload-too-large', `${what} is ${bytes} bytes, above ${limit.name} (${limit.bytes} bytes); send less, or split it (POST …/batch splits rows for you).`, {
      limitBytes: limit.bytes,
      payloadBytes: bytes,
    });
  }
}

/**
 * The byte budget of one batch request: the cloud's synchronous limit, but at most 4 MiB, so the
 * answer (which the cloud caps too, at 6 MB on Lambda and SCF) has room to be larger than the
 * question.
 */
export function batchByteBudget(provider: CloudProvider): number {
  return Math.min(payloadLimit(provider, 'sync').bytes, 4 * MiB);
}

/** Default and largest per-call timeouts. Lambda functions run up to 15 minutes. */
export const DEFAULT_SYNC_TIMEOUT_SECONDS = 60;
export const DEFAULT_ASYNC_TIMEOUT_SECONDS = 15;
export const MAX_TIMEOUT_SECONDS = 900;
