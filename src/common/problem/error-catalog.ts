/**
 * Every error Tether answers with, by stable code. The `satisfies` clause forces each code to
 * have a status and a title; `/problems/<code>` is the problem type URI.
 */
export const errorCatalog = {
  'invalid-request': { status: 400, title: 'The request is invalid' },
  'malformed-body': { status: 400, title: 'The request body is not valid JSON' },
  'unauthenticated': { status: 401, title: 'A valid API token is required' },
  'forbidden': { status: 403, title: 'This token may not do that' },
  'not-found': { status: 404, title: 'Not found' },
  'route-not-found': { status: 404, title: 'No such route' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'conflict': { status: 409, title: 'Conflict' },
  'precondition-failed': { status: 412, title: 'The resource changed since you read it' },
  'precondition-required': { status: 428, title: 'If-Match is required' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type' },
  'unprocessable': { status: 422, title: 'The request cannot be carried out' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'secret-in-use': { status: 409, title: 'The secret is used by a connection' },
  'connection-not-granted': { status: 403, title: 'This token is not granted the connection' },
  'principal-not-configured': { status: 422, title: 'No platform principal for this cloud or partition' },
  'not-applicable': { status: 409, title: 'Not applicable to this connection' },
  'database-unavailable': { status: 503, title: 'The database is unavailable' },
  'internal': { status: 500, title: 'Internal error' },
  'connection-insecure': { status: 409, title: 'The connection can be assumed without its External ID' },
  'function-payload-too-large': { status: 413, title: 'The payload exceeds the cloud\'s invocation limit' },
  'function-not-found': { status: 404, title: 'The cloud has no such function' },
  'function-error': { status: 502, title: 'The function failed' },
  'function-bad-answer': { status: 502, title: 'The function broke the row protocol' },
  'function-timeout': { status: 504, title: 'The function did not answer in time' },
  'cloud-access-denied': { status: 502, title: 'The cloud refused the call' },
  'cloud-rejected-request': { status: 422, title: 'The cloud rejected the request' },
  'cloud-throttled': { status: 429, title: 'The cloud throttled the call' },
  'cloud-unavailable': { status: 502, title: 'The cloud could not be reached or failed' },
  'egress-not-allowed': { status: 403, title: 'The connection\'s egress rules do not allow this host and port' },
  'egress-address-refused': { status: 403, title: 'The address is private, loopback, link-local or metadata' },
  'egress-unresolvable': { status: 400, title: 'The host does not resolve' },
  'upstream-unreachable': { status: 502, title: 'The endpoint could not be reached' },
  'upstream-timeout': { status: 504, title: 'The endpoint did not answer in time' },
  'upstream-response-too-large': { status: 502, title: 'The endpoint\'s answer is too large' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalog;
