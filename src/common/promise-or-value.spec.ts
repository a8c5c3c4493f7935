import { describe, expect, it } from 'vitest';
import { andThen, onFailure } from './promise-or-value';

describe('andThen', () => {
  it('applies the next step at once to a value, without a promise', () => {
    expect(andThen(2, (n) => n * 3)).toBe(6);
  });

  it('applies it when a promise fulfils, and passes a rejection through', async () => {
    const later = andThen(Promise.resolve(2), (n) => n * 3);
    expect(later).toBeInstanceOf(Promise);
    await expect(later).resolves.toBe(6);
    await expect(andThen(Promise.reject(new Error('no')), () => 1)).rejects.toThrow('no');
  });
});

describe('onFailure', () => {
  const rethrowAs = (seen: unknown[]) => (error: unknown): never => {
    seen.push(error);
    throw new Error(`seen: ${(error as Error).message}`);
  };

  it('sees a synchronous throw and a later rejection alike', async () => {
    const seen: unknown[] = [];
    expect(() =>
      onFailure(() => {
        throw new Error('now');
      }, rethrowAs(seen)),
    ).toThrow('seen: now');
    await expect(onFailure(() => Promise.reject(new Error('later')), rethrowAs(seen))).rejects.toThrow('seen: later');
    expect(seen.map((error) => (error as Error).message)).toEqual(['now', 'later']);
  });

  it('returns a value at once and leaves success alone', async () => {
    const seen: unknown[] = [];
    expect(onFailure(() => 5, rethrowAs(seen))).toBe(5);
    await expect(onFailure(() => Promise.resolve(6), rethrowAs(seen))).resolves.toBe(6);
    expect(seen).toEqual([]);
  });
});
