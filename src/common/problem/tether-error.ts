import { ErrorCode, errorCatalog } from './error-catalog';

/** One bad field of a request: its JSON path and what to do about it. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/**
 * The one exception type of Tether. The problem filter turns it into RFC 9457
 * application/problem+json with the catalog's status and title.
 */
export class TetherError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extras: { errors?: readonly FieldError[]; headers?: Record<string, string>; [key: string]: unknown } = {},
  ) {
    super(detail);
    this.name = 'TetherError';
  }

  get status(): number {
    return errorCatalog[this.code].status;
  }

  /** A 400 naming one field. */
  static field(field: string, message: string): TetherError {
    return new TetherError('invalid-request', `${field}: ${message}`, { errors: [{ field, message }] });
  }

  static notFound(kind: string, id: string): TetherError {
    return new TetherError('not-found', `No ${kind} '${truncate(id)}' in this workspace.`);
  }
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}
