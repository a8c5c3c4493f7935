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
