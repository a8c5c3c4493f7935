import { cleanCloudMessage, ProviderError, type ProviderErrorKind } from '../provider-error';

/**
 * What tencentcloud-sdk-nodejs throws: `TencentCloudSDKHttpException` with the API's `code` and
 * `requestId` (Tencent answers errors with HTTP 200 and `Response.Error`), `httpCode` for a
 * non-200 answer, and neither when the request never got an answer (the SDK wraps network
 * errors, keeping only their message).
 */
interface TencentSdkError {
  name?: string;
  message?: string;
  code?: string;
  requestId?: string;
  httpCode?: number;
}

/** STS, SCF and common codes Tether understands (clouds.md §1.3, §5.3). */
function kindOfCode(code: string, message: string): ProviderErrorKind | undefined {
  if (code === 'AuthFailure.UnauthorizedOperation' || code === 'UnauthorizedOperation' || code.startsWith('UnauthorizedOperation.') || code.startsWith('OperationDenied')) return 'access_denied';
  // "Bad or expired X-TC-Token": only the message tells the two apart.
  if (code === 'AuthFailure.TokenFailure') return /expire/i.test(message) ? 'expired_credentials' : 'invalid_credentials';
  if (code.startsWith('AuthFailure')) return 'invalid_credentials';
  if (code.startsWith('ResourceNotFound')) return 'not_found';
  if (code === 'RequestSizeLimitExceeded') return 'payload_too_large';
  if (code === 'RequestLimitExceeded' || code.startsWith('RequestLimitExceeded.')) return 'throttled';
  if (
    code.startsWith('InvalidParameter') ||
    code.startsWith('MissingParameter') ||
    code.startsWith('UnknownParameter') ||
    code.startsWith('UnsupportedOperation') ||
    code === 'InvalidAction' ||
    code === 'UnsupportedRegion' ||
    code === 'UnsupportedProtocol' ||
    code === 'InvalidRequest' ||
    code === 'NoSuchVersion'
  ) {
    return 'invalid_request';
  }
  if (code.startsWith('InternalError') || code.startsWith('ResourceUnavailable') || code.startsWith('FailedOperation') || code === 'ServiceUnavailable' || code === 'ResourceInsufficient') return 'unavailable';
  return undefined;
}

/** Maps an error thrown by tencentcloud-sdk-nodejs onto a ProviderError. */
export function mapTencentError(error: unknown, operation: string, secrets: readonly (string | undefined)[] = []): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as TencentSdkError;
  const cloudMessage = cleanCloudMessage(e.message, secrets);
  const requestId = e.requestId ? e.requestId : undefined;
  if (!e.code && e.httpCode === undefined) {
    // No API code and no HTTP status: the request never got an answer (refused, reset, DNS, timeout).
    return new ProviderError({ kind: 'unavailable', provider: 'tencent', operation, cloudMessage, message: `Tencent Cloud ${operation} could not be reached: ${cloudMessage ?? 'network error'}` });
  }
  if (!e.code) {
    const status = e.httpCode!;
    const kind: ProviderErrorKind = status === 429 ? 'throttled' : status === 413 ? 'payload_too_large' : status >= 500 ? 'unavailable' : status === 403 ? 'access_denied' : status === 404 ? 'not_found' : 'invalid_request';
    return new ProviderError({ kind, provider: 'tencent', operation, cloudMessage, httpStatus: status, ...(requestId ? { requestId } : {}) });
  }
  return new ProviderError({
    kind: kindOfCode(e.code, cloudMessage ?? '') ?? 'invalid_request',
    provider: 'tencent',
    operation,
    cloudCode: e.code,
    cloudMessage,
    ...(requestId ? { requestId } : {}),
    ...(e.httpCode !== undefined ? { httpStatus: e.httpCode } : {}),
  });
}
