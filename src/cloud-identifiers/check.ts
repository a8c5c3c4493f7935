/** A refused identifier: `message` is a sentence naming the expected form and the fix, fit for a 4xx `detail`. */
export interface Refused {
  ok: false;
  message: string;
}

/** Outcome of parsing an identifier: the parsed parts, or why it was refused. */
export type Parsed<T> = { ok: true; value: T } | Refused;

/** Outcome of a format check that has nothing to return. */
export type Check = { ok: true } | Refused;

export const accepted: { ok: true } = Object.freeze({ ok: true as const });

export function refused(message: string): Refused {
  return { ok: false, message };
}

export function parsed<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** Checks `value` against `pattern`; `rule` is the sentence returned when it does not match. */
export function matches(value: string, pattern: RegExp, rule: string): Check {
  return pattern.test(value) ? accepted : refused(rule);
}
