import { errorCatalog, ErrorCode } from './error-catalog';
import { FieldError } from './tether-error';

/** An RFC 9457 problem document as Tether writes it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: readonly FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemOf(code: ErrorCode, detail: string, extras: Record<string, unknown> = {}): Problem {
  const { status, title } = errorCatalog[code];
  return { type: `/problems/${code}`, title, status, detail, ...extras };
}
