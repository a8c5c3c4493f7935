import { cleanCloudMessage, kindOfHttpStatus, ProviderError, type ProviderErrorKind } from '../provider-error';

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

/** SCF refuses a change while the function is still Creating / Updating (or another change runs). */
const SCF_BUSY = new Set([
  'FailedOperation.FunctionStatusError',
  'FailedOperation.FunctionNameStatusError',
  'FailedOperation.UpdateFunctionCode',
  'FailedOperation.UpdateFunctionConfiguration',
  'FailedOperation.PublishVersion',
  'FailedOperation.DeleteFunction',
  'FailedOperation.OperationConflict',
]);

/** STS, SCF and common codes Tether understands (clouds.md §1.3, §5.3). */
function kindOfCode(code: string, message: string): ProviderErrorKind | undefined {
  if (code.startsWith('ResourceInUse') || SCF_BUSY.has(code)) return 'conflict';
  if (code.startsWith('LimitExceeded')) return 'quota_exceeded';
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

/** The deployment field an SCF parameter code names, in Tether's words (`InvalidParameterValue.Runtime` → runtime). */
const SCF_FIELDS: Record<string, string> = {
  Runtime: 'runtime',
  Handler: 'handler',
  MemorySize: 'memory',
  Memory: 'memory',
  Timeout: 'timeout',
  Environment: 'environment',
  EnvironmentExceededLimit: 'environment',
  EnvironmentSystemProtect: 'environment',
  Role: 'execution role',
  RoleCheck: 'execution role',
  Code: 'code package',
  ZipFile: 'code package',
  CosBucketName: 'code package',
  CosObjectName: 'code package',
  CosBucketRegion: 'code package',
  FunctionName: 'function name',
  Namespace: 'namespace',
  Description: 'description',
};

/** `runtime` for `InvalidParameterValue.Runtime`: lets the caller tell which field SCF refused. */
export function scfFieldOfCode(code: string | undefined): string | undefined {
  const m = /^InvalidParameter(?:Value)?\.(\w+)$/.exec(code ?? '');
  return m ? SCF_FIELDS[m[1]!] : undefined;
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
  const field = scfFieldOfCode(e.code);
  return new ProviderError({
    kind: kindOfCode(e.code, cloudMessage ?? '') ?? 'invalid_request',
    provider: 'tencent',
    operation,
    ...(field ? { message: `Tencent Cloud ${operation} rejected the ${field} [${e.code}]${cloudMessage ? `: ${cloudMessage}` : ''}` } : {}),
    cloudCode: e.code,
    cloudMessage,
    ...(requestId ? { requestId } : {}),
    ...(e.httpCode !== undefined ? { httpStatus: e.httpCode } : {}),
  });
}

/**
 * What cos-nodejs-sdk-v5 hands its callback: `code` (the COS code, or the HTTP status as a string
 * when the answer had no body, as for HEAD), `statusCode`, the parsed `<Error>` under `error`, and
 * the response headers (`x-cos-request-id`). A request that got no answer has no `statusCode`.
 */
interface CosSdkError {
  message?: string;
  code?: string;
  statusCode?: number;
  error?: { Code?: string; Message?: string; RequestId?: string } | string;
  headers?: Record<string, string | undefined>;
}

/** COS XML API codes (https://intl.cloud.tencent.com/document/api/436/7730 as far as clouds.md and the SDK show them). */
function kindOfCosCode(code: string): ProviderErrorKind | undefined {
  switch (code) {
    case 'AccessDenied':
    case 'AccessForbidden':
      return 'access_denied';
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'InvalidToken':
    case 'RequestTimeTooSkewed':
      return 'invalid_credentials';
    case 'ExpiredToken':
      return 'expired_credentials';
    case 'NoSuchBucket':
    case 'NoSuchKey':
    case 'NoSuchUpload':
      return 'not_found';
    case 'SlowDown':
    case 'TooManyRequests':
      return 'throttled';
    case 'EntityTooLarge':
      return 'payload_too_large';
    case 'BucketAlreadyExists':
    case 'BucketAlreadyOwnedByYou':
      return 'conflict';
    default:
      return undefined;
  }
}

/** Maps an error from cos-nodejs-sdk-v5 onto a ProviderError. */
export function mapCosError(error: unknown, operation: string, secrets: readonly (string | undefined)[] = []): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as CosSdkError;
  const body = typeof e.error === 'object' && e.error !== null ? e.error : undefined;
  const cloudMessage = cleanCloudMessage(body?.Message ?? e.message, secrets);
  const requestId = body?.RequestId || e.headers?.['x-cos-request-id'] || undefined;
  if (typeof e.statusCode !== 'number') {
    return new ProviderError({ kind: 'unavailable', provider: 'tencent', operation, cloudMessage, ...(e.code ? { cloudCode: e.code } : {}), message: `Tencent Cloud ${operation} could not be reached: ${cloudMessage ?? 'network error'}` });
  }
  // Without a body (HEAD) the SDK puts the status where the code would be.
  const code = body?.Code ?? (e.code && !/^\d+$/.test(e.code) ? e.code : undefined);
  // "Request has expired": the signature's time window, i.e. a clock off by more than it allows.
  const expiredSignature = code === 'AccessDenied' && cloudMessage === 'Request has expired';
  const kind = expiredSignature ? 'invalid_credentials' : (code ? kindOfCosCode(code) : undefined) ?? kindOfHttpStatus(e.statusCode);
  return new ProviderError({
    kind,
    provider: 'tencent',
    operation,
    ...(code ? { cloudCode: code } : {}),
    ...(code ? { cloudMessage } : {}),
    httpStatus: e.statusCode,
    ...(requestId ? { requestId } : {}),
  });
}
