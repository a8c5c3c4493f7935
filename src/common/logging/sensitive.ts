import { inspect } from 'node:util';

/**
 * A secret value that refuses to be printed: JSON, string conversion and util.inspect all
 * answer `[redacted]`. Read the value only where it leaves for the cloud or the cipher.
 */
export class Sensitive<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}
