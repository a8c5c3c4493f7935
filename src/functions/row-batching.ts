import { TetherError } from '../common/problem/tether-error';

/** One request of the external-function row protocol: rows `first`..`first + count - 1` of the input. */
export interface RowBatch {
  /** 0-based position of the batch, for errors that name it. */
  index: number;
  first: number;
  count: number;
  /** `{"data": [[rowIndex, arg, ...], ...]}`, already serialised. */
  body: Buffer;
}

const OPEN = Buffer.from('{"data":[');
const CLOSE = Buffer.from(']}');
const COMMA = Buffer.from(',');

/**
 * Splits rows into batches of at most `maxRows` rows and `maxBytes` bytes of request body, keeping
 * input order; the row index sent with each row is its position in the input. A single row that
 * alone exceeds `maxBytes` is refused with a 413 naming it, since no split can send it.
 */
export function splitRows(rows: readonly (readonly unknown[])[], maxRows: number, maxBytes: number, tooLarge: (row: number, bytes: number) => TetherError): RowBatch[] {
  const batches: RowBatch[] = [];
  let parts: Buffer[] = [];
  let count = 0;
  let first = 0;
  let bytes = OPEN.length + CLOSE.length;
  const flush = (end: number) => {
    if (parts.length === 0) return;
    const body = Buffer.concat([OPEN, ...parts, CLOSE]);
    batches.push({ index: batches.length, first, count: end - first, body });
    parts = [];
    count = 0;
    first = end;
    bytes = OPEN.length + CLOSE.length;
  };
  for (let i = 0; i < rows.length; i++) {
    const encoded = Buffer.from(JSON.stringify([i, ...rows[i]]), 'utf8');
    const alone = OPEN.length + CLOSE.length + encoded.length;
    if (alone > maxBytes) throw tooLarge(i, alone);
    const added = encoded.length + (count > 0 ? 1 : 0);
    if (count >= maxRows || bytes + added > maxBytes) flush(i);
    if (count > 0) {
      parts.push(COMMA);
      bytes += 1;
    }
    parts.push(encoded);
    count += 1;
    bytes += encoded.length;
  }
  flush(rows.length);
  return batches;
}

/**
 * Reads a function's answer to one batch: `{"data": [[rowIndex, result], ...]}` with exactly the
 * batch's row indexes, each once, in any order. Returns the results in row order. Anything else
 * is a 502 naming the batch and the rows it covered: the function broke the protocol.
 */
export function readBatchAnswer(batch: RowBatch, payload: Buffer): unknown[] {
  const fail = (what: string) =>
    new TetherError('function-bad-answer', `Batch ${batch.index} (rows ${batch.first}-${batch.first + batch.count - 1}): ${what}. An external function must answer {"data": [[rowIndex, result], ...]} with every row index it was sent, once.`, {
      batch: batch.index,
      firstRow: batch.first,
      lastRow: batch.first + batch.count - 1,
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    throw fail('the answer is not JSON');
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw fail('the answer has no "data" array');
  const results = new Array<unknown>(batch.count);
  const seen = new Uint8Array(batch.count);
  for (const entry of data) {
    if (!Array.isArray(entry) || entry.length !== 2) throw fail('an entry of "data" is not a [rowIndex, result] pair');
    const [rowIndex, result] = entry as [unknown, unknown];
    if (typeof rowIndex !== 'number' || !Number.isInteger(rowIndex)) throw fail(`row index ${JSON.stringify(rowIndex)?.slice(0, 40)} is not an integer`);
    const offset = rowIndex - batch.first;
    if (offset < 0 || offset >= batch.count) throw fail(`row index ${rowIndex} was not sent in this batch (extra row)`);
    if (seen[offset]) throw fail(`row index ${rowIndex} is answered twice (duplicate row)`);
    seen[offset] = 1;
    results[offset] = result;
  }
  const missing = seen.indexOf(0);
  if (missing !== -1) throw fail(`row index ${batch.first + missing} is missing from the answer${data.length < batch.count ? ` (${batch.count - data.length} rows missing)` : ''}`);
  return results;
}

/** Runs `work` over `items` with at most `concurrency` in flight; the first failure stops new work and is thrown. */
export async function runBounded<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, worker);
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}
