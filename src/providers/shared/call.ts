import type { Logger } from 'pino';
import type { CloudProvider } from '../../cloud-identifiers';
import type { ProbeResult } from '../cloud-function-provider';
import { cloudCallDuration, cloudCalls } from '../../metrics/metrics';
import { isProviderError, ProviderError } from '../provider-error';

/** Turns whatever an SDK threw into a {@link ProviderError}. */
export type ErrorMapper = (error: unknown, operation: string) => ProviderError;

export interface CallOptions<T> {
  provider: CloudProvider;
  /** `sts:AssumeRole`, `lambda:Invoke`, … */
  operation: string;
  region: string;
  timeoutMs: number;
  logger?: Logger;
  mapError: ErrorMapper;
  /** The cloud's request id of a successful answer, for the log line. */
  requestIdOf?: (result: T) => string | undefined;
}

/**
 * Runs one cloud call with a hard deadline, maps its failure, and writes the one log line a
 * provider call gets (provider, operation, durationMs, cloud request id — never a key or token).
 * The SDKs get the abort signal and their own timeouts too; the deadline here is the backstop
 * that bounds the call even when an SDK ignores both.
 */
export async function callCloud<T>(opts: CallOptions<T>, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new ProviderError({
          kind: 'unavailable',
          provider: opts.provider,
          operation: opts.operation,
          message: `${opts.provider} ${opts.operation} did not answer within ${opts.timeoutMs} ms`,
          cloudCode: 'Timeout',
        }),
      );
    }, opts.timeoutMs);
  });
  const attempt = run(controller.signal);
  // The losing side of the race must not surface as an unhandled rejection.
  attempt.catch(() => undefined);
  try {
    const result = await Promise.race([attempt, deadline]);
    log(opts, started, { outcome: 'ok', requestId: opts.requestIdOf?.(result) });
    return result;
  } catch (error) {
    const mapped = isProviderError(error) ? error : opts.mapError(error, opts.operation);
    log(opts, started, { outcome: 'error', kind: mapped.kind, cloudCode: mapped.cloudCode, requestId: mapped.requestId });
    throw mapped;
  } finally {
    clearTimeout(timer);
  }
}

function log<T>(opts: CallOptions<T>, started: number, fields: { outcome: string } & Record<string, unknown>): void {
  const seconds = (performance.now() - started) / 1000;
  cloudCalls.inc({ provider: opts.provider, operation: opts.operation, outcome: String(fields.kind ?? fields.outcome) });
  cloudCallDuration.observe({ provider: opts.provider, operation: opts.operation }, seconds);
  if (!opts.logger) return;
  const durationMs = Math.round(seconds * 1000);
  opts.logger.info({ provider: opts.provider, operation: opts.operation, region: opts.region, durationMs, ...fields }, 'provider call');
}

/**
 * Retries once when the cloud throttled or could not be reached (STS calls of the SDKs that do not
 * retry by themselves). Tether retries further up; more attempts here would only multiply load on
 * a cloud that is already pushing back.
 */
export async function retryOnce<T>(run: () => Promise<T>, delayMs = 150 + Math.floor(Math.random() * 150)): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isProviderError(error) || (error.kind !== 'throttled' && error.kind !== 'unavailable') || error.cloudCode === 'Timeout') throw error;
    const wait = error.retryAfterSeconds !== undefined ? Math.min(error.retryAfterSeconds * 1000, 1000) : delayMs;
    await new Promise((resolve) => setTimeout(resolve, wait));
    return run();
  }
}

/** The time a call took, for `InvokeOutcome.durationMs`. */
export function elapsedMs(started: number): number {
  return Math.max(0, Math.round(performance.now() - started));
}

/** `{ errorMessage, errorType }` as Lambda, FC and SCF runtimes write a failure; falls back to the raw text. */
export function parseFunctionError(body: Buffer | string, fallbackType: string): { type: string; message: string } {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const p = parsed as { errorMessage?: unknown; errorType?: unknown };
      const type = typeof p.errorType === 'string' && p.errorType !== '' ? p.errorType : fallbackType;
      const message = typeof p.errorMessage === 'string' ? p.errorMessage : text;
      return { type, message };
    }
  } catch {
    // Not JSON: the whole body is the message.
  }
  return { type: fallbackType, message: text };
}

/** A refusal is a probe result (validation shows it); anything that is not a ProviderError is a bug and is thrown. */
export async function probe(run: () => Promise<string>): Promise<ProbeResult> {
  try {
    return { ok: true, detail: await run() };
  } catch (error) {
    if (!isProviderError(error)) throw error;
    return { ok: false, detail: error.message, error };
  }
}
