/**
 * A value now, or a promise of it later (graphql-js's PromiseOrValue). The credentials hot path
 * answers a cache hit synchronously through every layer and only a miss goes async: a promise and
 * a microtask per layer cost more than the hit itself does.
 */
export type PromiseOrValue<T> = T | Promise<T>;

/** `next` applied to the value at once, or when the promise fulfils; a rejection passes through. */
export function andThen<T, R>(value: PromiseOrValue<T>, next: (value: T) => PromiseOrValue<R>): PromiseOrValue<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** `work()`, with `onError` seeing its failure whether it throws at once or rejects later. */
export function onFailure<T>(work: () => PromiseOrValue<T>, onError: (error: unknown) => never): PromiseOrValue<T> {
  let result: PromiseOrValue<T>;
  try {
    result = work();
  } catch (error) {
    return onError(error);
  }
  return result instanceof Promise ? result.catch(onError) : result;
}
