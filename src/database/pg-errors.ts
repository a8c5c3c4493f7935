/** PostgreSQL SQLSTATE codes Tether turns into client answers. */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
/** Raised instead of 23503 when the constraint says ON DELETE RESTRICT. */
const RESTRICT_VIOLATION = '23001';

function sqlState(error: unknown): { code?: string; constraint?: string } {
  const e = error as { code?: unknown; constraint?: unknown; driverError?: { code?: unknown; constraint?: unknown } };
  const source = e?.driverError ?? e;
  return { code: typeof source?.code === 'string' ? source.code : undefined, constraint: typeof source?.constraint === 'string' ? source.constraint : undefined };
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const state = sqlState(error);
  return state.code === UNIQUE_VIOLATION && (constraint === undefined || state.constraint === constraint);
}

export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  const state = sqlState(error);
  return (state.code === FOREIGN_KEY_VIOLATION || state.code === RESTRICT_VIOLATION) && (constraint === undefined || state.constraint === constraint);
}

/** SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, restart). */
const UNAVAILABLE_STATE = /^(08|57P)/;
const UNAVAILABLE_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed/i;

/** The database could not be reached or went away mid-query: a 503 to retry, not a 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; driverError?: { code?: unknown; message?: unknown } } | undefined;
  for (const source of [e, e?.driverError]) {
    if (!source) continue;
    if (typeof source.code === 'string' && (UNAVAILABLE_STATE.test(source.code) || UNAVAILABLE_NETWORK.has(source.code))) return true;
    if (typeof source.message === 'string' && UNAVAILABLE_MESSAGE.test(source.message)) return true;
  }
  return false;
}
