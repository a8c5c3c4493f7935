import type { FunctionDef } from './state';

export type InvocationResult =
  | { kind: 'ok'; payload: Buffer; log: string; durationMs: number }
  | { kind: 'error'; errorType: string; errorMessage: string; payload: Buffer; log: string; durationMs: number };

export class BadEventError extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Counts one invocation attempt and says whether it may run: `throttleFirst` refuses the first N
 * attempts, so the N+1th gets through. Synchronous, so async invocations can answer at once.
 */
export function admitInvocation(def: FunctionDef): boolean {
  def.invocations += 1;
  return def.invocations > def.throttleFirst;
}

/** Checks up front that a `rows` function can read its event, so the caller gets a 400, not a crash. */
export function checkEvent(def: FunctionDef, event: Buffer): void {
  if (def.behaviour.type === 'rows') parseRows(event);
}

/**
 * Runs an admin-defined function. `event` is the raw event bytes; behaviours that need JSON parse it
 * and throw `BadEventError` when they cannot. The log is a few lines, like a real runtime prints.
 */
export async function runFunction(def: FunctionDef, event: Buffer, requestId: string): Promise<InvocationResult> {
  const started = Date.now();
  const lines = [`[${def.name}] request ${requestId}: ${def.behaviour.type} (${event.length} bytes)`];
  const b = def.behaviour;
  switch (b.type) {
    case 'echo':
      return ok(event.length === 0 ? Buffer.from('{}') : event);
    case 'sleep':
      await sleep(b.latencyMs);
      lines.push(`slept ${b.latencyMs} ms`);
      return ok(event.length === 0 ? Buffer.from('{}') : event);
    case 'rows': {
      const rows = parseRows(event);
      lines.push(`answered ${rows.length} rows`);
      // Deterministic per row: the arguments joined with '|' and upper-cased, keyed by the row index.
      const data = rows.map(([index, ...args]) => [index, args.map((a) => (a === null ? 'NULL' : typeof a === 'object' ? JSON.stringify(a) : String(a))).join('|').toUpperCase()]);
      return ok(Buffer.from(JSON.stringify({ data })));
    }
    case 'reply':
      return ok(Buffer.from(JSON.stringify(b.body ?? null)));
    case 'error': {
      const errorType = b.errorType ?? 'Error';
      const errorMessage = b.errorMessage ?? 'function failed';
      lines.push(`${errorType}: ${errorMessage}`);
      const stackTrace = [`    at handler (/var/task/index.js:1:1)`];
      return { kind: 'error', errorType, errorMessage, payload: Buffer.from(JSON.stringify({ errorMessage, errorType, stackTrace })), log: lines.join('\n') + '\n', durationMs: Date.now() - started };
    }
  }

  function ok(payload: Buffer): InvocationResult {
    return { kind: 'ok', payload, log: lines.join('\n') + '\n', durationMs: Date.now() - started };
  }
}

function parseRows(event: Buffer): unknown[][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(event.toString('utf8'));
  } catch {
    throw new BadEventError('event is not JSON');
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || !data.every((row) => Array.isArray(row) && row.length >= 1)) throw new BadEventError('event must be {"data": [[rowIndex, args...], ...]}');
  return data as unknown[][];
}

/** Keeps the last `max` bytes of a log, as Lambda (4 KB) and FC do for `Tail`. */
export function tail(log: string, max = 4096): string {
  const bytes = Buffer.from(log, 'utf8');
  return bytes.length <= max ? log : bytes.subarray(bytes.length - max).toString('utf8');
}
