import type { CloudProvider } from '../cloud-identifiers';

/**
 * What went wrong, in Tether's words; the layers above map each kind to an HTTP problem. Every
 * cloud's own codes are mapped onto these by one switch per cloud (`aws/aws-errors.ts`, …).
 */
export type ProviderErrorKind =
  | 'access_denied'
  | 'not_found'
  | 'throttled'
  | 'invalid_credentials'
  | 'expired_credentials'
  | 'invalid_request'
  | 'payload_too_large'
  /** The resource exists already, or is busy with another change (Lambda ResourceConflictException). */
  | 'conflict'
  /** An account quota or limit is reached (code storage, function count). */
  | 'quota_exceeded'
  | 'unsupported'
  | 'unavailable';

export const PROVIDER_ERROR_KINDS: readonly ProviderErrorKind[] = [
  'access_denied',
  'not_found',
  'throttled',
  'invalid_credentials',
  'expired_credentials',
  'invalid_request',
  'payload_too_large',
  'conflict',
  'quota_exceeded',
  'unsupported',
  'unavailable',
];

export interface ProviderErrorInit {
  kind: ProviderErrorKind;
  provider: CloudProvider;
  /** The cloud API call, e.g. `sts:AssumeRole`, `lambda:Invoke`, `fc:InvokeFunction`. */
  operation: string;
  /** Tether's own sentence; defaults to one built from the cloud's code and message. */
  message?: string;
  cloudCode?: string;
  cloudMessage?: string;
  requestId?: string;
  retryAfterSeconds?: number;
  httpStatus?: number;
}

/**
 * A cloud refused or failed a call. It keeps the cloud's own code and message for the user (they
 * name the missing permission or the bad parameter) and never any key, secret or token: the SDK's
 * error object is deliberately not kept as `cause`, because some SDKs hang the signed request on it.
 */
export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly provider: CloudProvider;
  readonly operation: string;
  readonly cloudCode?: string;
  readonly cloudMessage?: string;
  readonly requestId?: string;
  readonly retryAfterSeconds?: number;
  readonly httpStatus?: number;

  constructor(init: ProviderErrorInit) {
    super(init.message ?? defaultMessage(init));
    this.name = 'ProviderError';
    this.kind = init.kind;
    this.provider = init.provider;
    this.operation = init.operation;
    if (init.cloudCode !== undefined) this.cloudCode = init.cloudCode;
    if (init.cloudMessage !== undefined) this.cloudMessage = init.cloudMessage;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
  }

  /** Log- and JSON-safe view (no stack). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      provider: this.provider,
      operation: this.operation,
      message: this.message,
      cloudCode: this.cloudCode,
      cloudMessage: this.cloudMessage,
      requestId: this.requestId,
      retryAfterSeconds: this.retryAfterSeconds,
      httpStatus: this.httpStatus,
    };
  }
}

export function isProviderError(value: unknown): value is ProviderError {
  return value instanceof ProviderError;
}

const CLOUD_NAMES: Record<CloudProvider, string> = { aws: 'AWS', aliyun: 'Alibaba Cloud', tencent: 'Tencent Cloud' };

const KIND_SENTENCES: Record<ProviderErrorKind, string> = {
  access_denied: 'refused the call (access denied)',
  not_found: 'reports that the resource does not exist',
  throttled: 'throttled the call',
  invalid_credentials: 'did not accept the credentials',
  expired_credentials: 'reports that the credentials have expired',
  invalid_request: 'rejected the request as invalid',
  payload_too_large: 'rejected the payload as too large',
  conflict: 'reports a conflict with the resource\'s current state',
  quota_exceeded: 'reports that a quota is exhausted',
  unsupported: 'does not support this operation',
  unavailable: 'could not be reached or failed',
};

function defaultMessage(init: ProviderErrorInit): string {
  const code = init.cloudCode ? ` [${init.cloudCode}${init.httpStatus ? ` ${init.httpStatus}` : ''}]` : '';
  const said = init.cloudMessage ? `: ${init.cloudMessage}` : '';
  return `${CLOUD_NAMES[init.provider]} ${init.operation} ${KIND_SENTENCES[init.kind]}${code}${said}`;
}

/** Cloud messages are kept for the user, but cut to a sane length and cleared of any secret we know of. */
export function cleanCloudMessage(message: unknown, secrets: readonly (string | undefined)[] = []): string | undefined {
  if (typeof message !== 'string' || message.trim() === '') return undefined;
  let out = message.trim();
  for (const secret of secrets) if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out.length > 1000 ? `${out.slice(0, 1000)}…` : out;
}

/** Node and HTTP-client codes that mean the cloud could not be reached (or answered too late). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EPROTO',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** A transport failure: refused connection, DNS, reset, TLS, or a client-side timeout. */
export function isNetworkError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; errno?: unknown; name?: unknown; cause?: unknown; type?: unknown };
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (typeof e.errno === 'string' && NETWORK_CODES.has(e.errno)) return true;
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.name === 'RequestTimeoutError' || e.type === 'request-timeout' || e.type === 'system') return true;
  if (e.cause !== undefined && e.cause !== error) return isNetworkError(e.cause);
  return false;
}

/** Reads a Retry-After value given in seconds. */
export function retryAfterSeconds(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The kind an HTTP status implies when the cloud's own code says nothing; no status means the cloud was never reached. */
export function kindOfHttpStatus(status: number | undefined): ProviderErrorKind {
  if (status === undefined) return 'unavailable';
  if (status === 429) return 'throttled';
  if (status === 413) return 'payload_too_large';
  if (status === 401) return 'invalid_credentials';
  if (status === 403) return 'access_denied';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status >= 400 && status < 500) return 'invalid_request';
  return 'unavailable';
}
