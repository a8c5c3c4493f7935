import { cleanCloudMessage, isNetworkError, kindOfHttpStatus, ProviderError, type ProviderErrorKind, retryAfterSeconds } from '../provider-error';

/**
 * What the Alibaba Cloud SDKs throw. STS (openapi-core) sets `code`, `statusCode`, `requestId`
 * and `data` (the body `{RequestId, HostId, Code, Message}`); FC 2.0 (openapi-client) leaves
 * `code` as the string "undefined" because FC writes `{ErrorCode, ErrorMessage}`, so the code is
 * read from `data.ErrorCode` (clouds.md §5.2). ali-oss (OSS) sets `code`, `status`, `requestId`
 * from the `<Error>` XML, and `status` -1 / -2 when the request never got an answer.
 */
interface AliyunSdkError {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  status?: number;
  requestId?: string;
  retryAfter?: number;
  data?: { Code?: string; Message?: string; ErrorCode?: string; ErrorMessage?: string; RequestId?: string; statusCode?: number };
}

/** STS, FC 2.0 and OSS codes Tether understands (clouds.md §1.2, §5.2, and the emulator's FC and OSS codes). */
function kindOfCode(code: string, message: string): ProviderErrorKind | undefined {
  if (code.startsWith('Throttling') || code === 'ResourceThrottled' || code === 'ResourceExhausted' || code === 'ConcurrentLimitExceeded') return 'throttled';
  if (code.startsWith('EntityNotExist')) return 'not_found';
  if (code.startsWith('InvalidParameter') || code.startsWith('MissingParameter') || (code.startsWith('Missing') && code !== 'MissingAuthorization' && code !== 'MissingRequiredHeader')) return 'invalid_request';
  switch (code) {
    // RAM refuses the same way whether the trust policy lacks us, the External ID is wrong or
    // missing, or we lack sts:AssumeRole.
    case 'NoPermission':
    case 'AccessDenied':
    case 'Forbidden':
    case 'Forbidden.RAM':
    case 'Forbidden.AccessKeyDisabled':
    case 'NotAuthorized':
      return 'access_denied';
    case 'InvalidSecurityToken.Expired':
    case 'SecurityTokenExpired':
      return 'expired_credentials';
    // FC says "InvalidSecurityToken" for a bad and for an expired token alike; its message tells.
    case 'InvalidSecurityToken':
      return /expired/i.test(message) ? 'expired_credentials' : 'invalid_credentials';
    case 'InvalidAccessKeyId.NotFound':
    case 'InvalidAccessKeyId.Inactive':
    case 'InvalidAccessKeyId':
    case 'InvalidAccessKeyID':
    case 'InvalidSecurityToken.Malformed':
    case 'InvalidSecurityToken.MismatchWithAccessKey':
    case 'SignatureDoesNotMatch':
    case 'SignatureNotMatch':
    case 'SignatureNonceUsed':
    case 'IncompleteSignature':
    case 'MissingAuthorization':
    case 'MissingRequiredHeader':
    case 'InvalidTimeStamp.Expired':
    case 'RequestTimeTooSkewed':
    case 'InvalidCredentials':
      return 'invalid_credentials';
    case 'ServiceNotFound':
    case 'FunctionNotFound':
    case 'NoSuchBucket':
    case 'NoSuchKey':
    case 'OSSBucketNotFound':
    case 'OSSObjectNotFound':
    case 'AliasNotFound':
    case 'VersionNotFound':
    case 'ResourceNotFound':
      return 'not_found';
    case 'EntityTooLarge':
    case 'PayloadTooLarge':
    case 'RequestEntityTooLarge':
      return 'payload_too_large';
    // FC may word a package it cannot read as an invalid argument.
    case 'InvalidArgument':
      return /\boss\b.*(does not exist|not exist|not found)/i.test(message) ? 'not_found' : 'invalid_request';
    case 'FunctionAlreadyExists':
    case 'ServiceAlreadyExists':
    case 'ConcurrentUpdateError':
    case 'PreconditionFailed':
      return 'conflict';
    case 'LimitExceeded':
    case 'QuotaExceeded':
    case 'FunctionQuotaExceeded':
      return 'quota_exceeded';
    case 'InvalidObjectName':
    case 'InvalidBucketName':
    case 'InvalidDigest':
    case 'PathNotSupported':
    case 'InvalidAction.NotFound':
    case 'UnsupportedOperation':
      return 'invalid_request';
    case 'InternalError':
    case 'InternalServerError':
    case 'ServiceUnavailable':
    case 'ServiceBusy':
    case 'ServiceUnavailableTemporary':
      return 'unavailable';
    default:
      return undefined;
  }
}

/** Maps an error thrown by @alicloud/sts20150401 or @alicloud/fc-open20210406 onto a ProviderError. */
export function mapAliyunError(error: unknown, operation: string, secrets: readonly (string | undefined)[] = []): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as AliyunSdkError;
  // ali-oss: status -1 (network error) or -2 (timeout) means no answer came back.
  const noAnswer = typeof e.status === 'number' && e.status < 0;
  const status = e.statusCode ?? e.data?.statusCode ?? (typeof e.status === 'number' && e.status > 0 ? e.status : undefined);
  const bodyCode = e.data?.Code ?? e.data?.ErrorCode;
  const code = bodyCode ?? (e.code && e.code !== 'undefined' ? e.code : undefined);
  if (noAnswer || (status === undefined && code === undefined)) {
    const network = noAnswer || isNetworkError(error);
    return new ProviderError({
      kind: 'unavailable',
      provider: 'aliyun',
      operation,
      cloudCode: (error as { code?: string }).code ?? e.name,
      cloudMessage: cleanCloudMessage(e.message, secrets),
      message: `Alibaba Cloud ${operation} could not be reached${network ? '' : ' or answered unreadably'}: ${cleanCloudMessage(e.message, secrets) ?? 'unknown error'}`,
    });
  }
  const cloudMessage = cleanCloudMessage(e.data?.Message ?? e.data?.ErrorMessage ?? e.message, secrets);
  let kind = (code ? kindOfCode(code, cloudMessage ?? '') : undefined) ?? kindOfHttpStatus(status);
  if (status !== undefined && status >= 500) kind = 'unavailable';
  if (status === 429) kind = 'throttled';
  const requestId = e.data?.RequestId ?? (e.requestId && e.requestId !== 'undefined' ? e.requestId : undefined);
  return new ProviderError({
    kind,
    provider: 'aliyun',
    operation,
    ...(code ? { cloudCode: code } : {}),
    cloudMessage,
    requestId,
    httpStatus: status,
    // openapi-core reads x-acs-retry-after into `retryAfter`; its unit is undocumented, milliseconds assumed.
    retryAfterSeconds: retryAfterSeconds(e.retryAfter !== undefined ? Math.ceil(e.retryAfter / 1000) : undefined),
  });
}
