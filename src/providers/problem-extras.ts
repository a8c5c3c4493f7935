import type { ProviderError } from './provider-error';

/**
 * What every problem made from a cloud's refusal carries besides Tether's sentence: the cloud's
 * own code and request id, for whoever reads the customer's CloudTrail / ActionTrail / CloudAudit.
 */
export function problemExtras(error: ProviderError): { cloudCode: string | null; cloudRequestId: string | null; provider: string; operation: string } {
  return { cloudCode: error.cloudCode ?? null, cloudRequestId: error.requestId ?? null, provider: error.provider, operation: error.operation };
}

/** The Retry-After header for a throttled call: the cloud's own hint, at least one second. */
export function retryAfterHeaders(error: ProviderError): { 'retry-after': string } {
  return { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterSeconds ?? 1))) };
}
