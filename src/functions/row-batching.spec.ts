import { describe, expect, it } from 'vitest';
import { TetherError } from '../common/problem/tether-error';
import { readBatchAnswer, runBounded, splitRows } from './row-batching';

const tooLarge = (row: number, bytes: number) => new TetherError('function-payload-too-large', `row ${row}: ${bytes}`);

describe('splitRows', () => {
  it('numbers rows by input position and cuts by row count', () => {
    const batches = splitRows([['a'], ['b', 2], ['c'], ['d'], ['e']], 2, 1 << 20, tooLarge);
    expect(batches.map((b) => [b.index, b.first, b.count])).toEqual([[0, 0, 2], [1, 2, 2], [2, 4, 1]]);
    expect(JSON.parse(batches[0].body.toString())).toEqual({ data: [[0, 'a'], [1, 'b', 2]] });
    expect(JSON.parse(batches[2].body.toString())).toEqual({ data: [[4, 'e']] });
  });

  it('cuts by bytes, never exceeding the budget', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ['x'.repeat(i % 7 * 10)]);
    const batches = splitRows(rows, 1000, 300, tooLarge);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(batch.body.length).toBeLessThanOrEqual(300);
    expect(batches.flatMap((b) => JSON.parse(b.body.toString()).data.map((r: unknown[]) => r[0]))).toEqual(rows.map((_, i) => i));
  });

  it('refuses a row that alone exceeds the budget', () => {
    expect(() => splitRows([['ok'], ['x'.repeat(500)]], 10, 100, tooLarge)).toThrow(/row 1/);
  });
});

describe('readBatchAnswer', () => {
  const batch = { index: 3, first: 10, count: 3, body: Buffer.alloc(0) };
  const answer = (data: unknown) => Buffer.from(JSON.stringify({ data }));

  it('puts results in row order whatever order they come in', () => {
    expect(readBatchAnswer(batch, answer([[12, 'c'], [10, 'a'], [11, null]]))).toEqual(['a', null, 'c']);
  });

  it.each([
    ['missing', [[10, 'a'], [11, 'b']], /row index 12 is missing/],
    ['extra', [[10, 'a'], [11, 'b'], [12, 'c'], [13, 'd']], /row index 13 was not sent in this batch \(extra row\)/],
    ['duplicate', [[10, 'a'], [10, 'a'], [12, 'c']], /row index 10 is answered twice/],
    ['not a pair', [[10, 'a', 'b'], [11, 'b'], [12, 'c']], /not a \[rowIndex, result\] pair/],
    ['not an integer', [['10', 'a'], [11, 'b'], [12, 'c']], /is not an integer/],
  ])('names the batch when a row is %s', (_, data, message) => {
    let error: unknown;
    try {
      readBatchAnswer(batch, answer(data));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TetherError);
    expect((error as TetherError).code).toBe('function-bad-answer');
    expect((error as TetherError).detail).toMatch(/^Batch 3 \(rows 10-12\)/);
    expect((error as TetherError).detail).toMatch(message);
    expect((error as TetherError).extras).toMatchObject({ batch: 3, firstRow: 10, lastRow: 12 });
  });

  it('refuses an answer that is not JSON or has no data', () => {
    expect(() => readBatchAnswer(batch, Buffer.from('oops'))).toThrow(/not JSON/);
    expect(() => readBatchAnswer(batch, Buffer.from('{"rows": []}'))).toThrow(/no "data" array/);
  });
});

describe('runBounded', () => {
  it('keeps at most `concurrency` calls in flight and results in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await runBounded([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, n));
      inFlight -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  it('stops starting work after a failure and throws it', async () => {
    const started: number[] = [];
    await expect(
      runBounded([0, 1, 2, 3, 4], 1, async (n) => {
        started.push(n);
        if (n === 1) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([0, 1]);
  });
});
