import { IssueCredentialsRequest } from './credentials.dto';

const FIELDS = new Set(['durationSeconds', 'sessionPolicy']);
/** Keys class-transformer and the pipe treat specially; a body holding one goes to the pipe. */
const SPECIAL_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The body of POST /connections/:id/credentials as the global ValidationPipe would return it, for
 * the bodies it accepts in their ordinary shape, checked without class-transformer and
 * class-validator; undefined for anything else, which then goes through the pipe itself, so every
 * refusal (and its field errors) comes from the one pipe. credentials-request-shape.spec.ts
 * checks both against each other.
 */
export function ordinaryCredentialsRequest(body: unknown): IssueCredentialsRequest | undefined {
  const request = new IssueCredentialsRequest();
  if (body === undefined) return request;
  if (!isPlainObject(body)) return undefined;
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) return undefined;
  const { durationSeconds, sessionPolicy } = body;
  if ('durationSeconds' in body) {
    if (typeof durationSeconds !== 'number' || !Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) return undefined;
    request.durationSeconds = durationSeconds;
  }
  if ('sessionPolicy' in body) {
    if (!isPlainObject(sessionPolicy) || !isPlainJson(sessionPolicy)) return undefined;
    request.sessionPolicy = sessionPolicy;
  }
  return request;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** JSON as the body parser builds it (plain objects and arrays, no special keys), walked without recursion. */
function isPlainJson(root: Record<string, unknown>): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      pending.push(...value);
      continue;
    }
    if (!isPlainObject(value)) return false;
    for (const key of Object.keys(value)) {
      if (SPECIAL_KEYS.has(key)) return false;
      pending.push(value[key]);
    }
  }
  return true;
}
