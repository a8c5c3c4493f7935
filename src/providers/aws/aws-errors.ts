import { cleanCloudMessage, isNetworkError, kindOfHttpStatus, ProviderError, type ProviderErrorKind, retryAfterSeconds } from '../provider-error';

/** What a @aws-sdk v3 error carries: `name` is the cloud's code (from the body or x-amzn-ErrorType). */
interface AwsSdkError {
  name?: string;
  message?: string;
  Code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
  /** Lambda TooManyRequestsException models the Retry-After header. */
  retryAfterSeconds?: string;
  Reason?: string;
}

/** The AWS codes Tether understands, by kind (STS, Lambda, S3; clouds.md §1.1, §5.1, §6). */
function kindOfCode(code: string): ProviderErrorKind | undefined {
  switch (code) {
    // Refused by a policy: the trust policy (also for a missing role or a wrong External ID, which
    // STS does not tell apart), an identity or session policy, or a bucket policy.
    case 'AccessDenied':
    case 'AccessDeniedException':
    case 'Forbidden':
    case 'AuthorizationError':
    case 'RegionDisabledException':
    case 'AllAccessDisabled':
      return 'access_denied';
    case 'InvalidClientTokenId':
    case 'UnrecognizedClientException':
    case 'SignatureDoesNotMatch':
    case 'InvalidSignatureException':
    case 'InvalidAccessKeyId':
    case 'InvalidToken':
    case 'IncompleteSignature':
    case 'IncompleteSignatureException':
    case 'MissingAuthenticationToken':
    case 'MissingAuthenticationTokenException':
    case 'AuthFailure':
    case 'RequestTimeTooSkewed':
    case 'RequestExpired':
    case 'RequestInTheFuture':
    case 'CredentialsProviderError':
    case 'InvalidIdentityToken':
      return 'invalid_credentials';
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'TokenRefreshRequired':
      return 'expired_credentials';
    case 'Throttling':
    case 'ThrottlingException':
    case 'TooManyRequestsException':
    case 'RequestLimitExceeded':
    case 'SlowDown':
    case 'RequestThrottled':
    case 'RequestThrottledException':
    case 'ProvisionedThroughputExceededException':
    case 'EC2ThrottledException':
      return 'throttled';
    case 'ResourceNotFoundException':
    case 'NoSuchBucket':
    case 'NoSuchKey':
    case 'NotFound':
    case 'NoSuchEntity':
      return 'not_found';
    case 'RequestTooLargeException':
    case 'RequestEntityTooLargeException':
    case 'EntityTooLarge':
    case 'PackedPolicyTooLarge':
      return code === 'PackedPolicyTooLarge' ? 'invalid_request' : 'payload_too_large';
    case 'ValidationError':
    case 'ValidationException':
    case 'InvalidParameterValueException':
    case 'InvalidParameterException':
    case 'InvalidRequestContentException':
    case 'InvalidRuntimeException':
    case 'MalformedPolicyDocument':
    case 'UnsupportedMediaTypeException':
    case 'InvalidAction':
    case 'InvalidParameterValue':
    case 'MissingParameter':
    case 'InvalidBucketName':
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IDPRejectedClaim':
    // Deployment: a package or upload the cloud will not take.
    case 'InvalidZipFileException':
    case 'CodeVerificationFailedException':
    case 'InvalidCodeSignatureException':
    case 'BadDigest':
    case 'InvalidDigest':
    case 'IncompleteBody':
      return 'invalid_request';
    // The function exists already, or another change to it is still being applied.
    case 'ResourceConflictException':
    case 'ResourceInUseException':
    case 'PreconditionFailedException':
      return 'conflict';
    case 'CodeStorageExceededException':
    case 'ServiceQuotaExceededException':
      return 'quota_exceeded';
    case 'ServiceException':
    case 'InternalFailure':
    case 'InternalError':
    case 'InternalServerError':
    case 'ServiceUnavailable':
    case 'ServiceUnavailableException':
    case 'ResourceNotReadyException':
    case 'EC2UnexpectedException':
    case 'ENILimitReachedException':
    case 'SubnetIPAddressLimitReachedException':
    case 'TimeoutError':
      return 'unavailable';
    default:
      return undefined;
  }
}

/**
 * Maps an error thrown by an @aws-sdk v3 client onto a ProviderError. Known codes first; S3 HEAD
 * answers have no body, so their `NotFound`/`Forbidden` names come from the status alone; anything
 * else falls back on the HTTP status, and no status at all means the cloud was never reached.
 */
export function mapAwsError(error: unknown, operation: string, secrets: readonly (string | undefined)[] = []): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as AwsSdkError;
  const status = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId;
  if (status === undefined && isNetworkError(error)) {
    return new ProviderError({
      kind: 'unavailable',
      provider: 'aws',
      operation,
      cloudCode: (error as { code?: string }).code ?? e.name,
      cloudMessage: cleanCloudMessage(e.message, secrets),
      message: `AWS ${operation} could not be reached: ${cleanCloudMessage(e.message, secrets) ?? 'network error'}`,
    });
  }
  const code = e.Code ?? e.name ?? 'Unknown';
  let kind = kindOfCode(code) ?? kindOfHttpStatus(status);
  // Lambda reports a package it cannot find as InvalidParameterValueException with S3's code inside the sentence.
  if (code === 'InvalidParameterValueException' && /S3 Error Code: (NoSuchKey|NoSuchBucket)\b/.test(e.message ?? '')) kind = 'not_found';
  // Any 5xx is the cloud's trouble, whatever it is called (S3's SlowDown is a 503 that still means
  // "throttled"); any 429 is throttling.
  if (status !== undefined && status >= 500 && kind !== 'throttled') kind = 'unavailable';
  if (status === 429) kind = 'throttled';
  // HEAD answers carry no body: the SDK reports "UnknownError", which helps nobody.
  const rawMessage = e.message === 'UnknownError' ? undefined : e.message;
  return new ProviderError({
    kind,
    provider: 'aws',
    operation,
    cloudCode: code,
    cloudMessage: cleanCloudMessage(rawMessage, secrets),
    requestId,
    httpStatus: status,
    retryAfterSeconds: retryAfterSeconds(e.retryAfterSeconds ?? e.$response?.headers?.['retry-after']),
  });
}

/** The {@link FunctionSpec} field a Lambda or S3 deployment error is about, read from the cloud's sentence. */
export type DeploymentField = 'functionName' | 'runtime' | 'handler' | 'memoryMb' | 'timeoutSeconds' | 'environment' | 'executionRoleArn' | 'description' | 'code';

/** Lambda's model names (`at 'memorySize'`) and sentences, by the neutral field they concern. */
const FIELD_PATTERNS: ReadonlyArray<[RegExp, DeploymentField]> = [
  [/iam:PassRole|role defined for the function|at 'role'/i, 'executionRoleArn'],
  [/at 'runtime'|runtime parameter|Runtime and Handler/i, 'runtime'],
  [/at 'handler'/i, 'handler'],
  [/at 'memorySize'|MemorySize/i, 'memoryMb'],
  [/at 'timeout'|Timeout value/i, 'timeoutSeconds'],
  [/environment variables|at 'environment/i, 'environment'],
  [/at 'description'/i, 'description'],
  [/at 'functionName'/i, 'functionName'],
  [/GetObject|S3 Error Code|unzip|ZipFile|code storage|CodeSHA256/i, 'code'],
];

/** Every field the sentence names (a ValidationException lists each failed constraint). */
export function deploymentFieldsOf(cloudMessage: string | undefined): DeploymentField[] {
  if (!cloudMessage) return [];
  return FIELD_PATTERNS.filter(([pattern]) => pattern.test(cloudMessage)).map(([, field]) => field);
}

/**
 * A deployment refusal whose message starts with the field it concerns (`runtime: …`), so the
 * caller can point the user at it; the cloud's code and sentence stay as they were.
 */
export function withDeploymentField(error: ProviderError): ProviderError {
  const fields = deploymentFieldsOf(error.cloudMessage);
  if (fields.length === 0 || !['invalid_request', 'access_denied', 'not_found', 'quota_exceeded'].includes(error.kind)) return error;
  return new ProviderError({
    kind: error.kind,
    provider: error.provider,
    operation: error.operation,
    message: `${fields.join(', ')}: ${error.message}`,
    ...(error.cloudCode !== undefined ? { cloudCode: error.cloudCode } : {}),
    ...(error.cloudMessage !== undefined ? { cloudMessage: error.cloudMessage } : {}),
    ...(error.requestId !== undefined ? { requestId: error.requestId } : {}),
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
  });
}
