import { describe, expect, it } from 'vitest';
import { mapAliyunError } from './aliyun/aliyun-errors';
import { functionStateOf } from './aws/aws-deployment';
import { deploymentFieldsOf, mapAwsError, withDeploymentField } from './aws/aws-errors';
import { cleanCloudMessage, ProviderError } from './provider-error';
import { mapCosError, mapTencentError, scfFieldOfCode } from './tencent/tencent-errors';

/** Error objects shaped as each SDK throws them (the shapes are read from the SDKs' code, clouds.md). */
describe('error mapping', () => {
  it('AWS: S3 HEAD answers without a body map by status; network errors are unavailable', () => {
    const head404 = Object.assign(new Error('UnknownError'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    expect(mapAwsError(head404, 's3:HeadBucket')).toMatchObject({ kind: 'not_found', cloudCode: 'NotFound', cloudMessage: undefined, httpStatus: 404 });
    const head403 = Object.assign(new Error('UnknownError'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } });
    expect(mapAwsError(head403, 's3:HeadBucket').kind).toBe('access_denied');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', $metadata: {} });
    expect(mapAwsError(refused, 'sts:AssumeRole')).toMatchObject({ kind: 'unavailable', cloudCode: 'ECONNREFUSED' });
    const unknown5xx = Object.assign(new Error('bad gateway'), { name: 'Unknown', $metadata: { httpStatusCode: 502 } });
    expect(mapAwsError(unknown5xx, 'lambda:Invoke').kind).toBe('unavailable');
    const throttled = Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    expect(mapAwsError(throttled, 's3:ListObjectsV2').kind).toBe('throttled');
    const clientThrottle = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    expect(mapAwsError(clientThrottle, 'sts:AssumeRole').kind).toBe('throttled');
  });

  it('AWS deployment: Lambda and S3 codes map to conflict, quota, invalid request and not found', () => {
    const sdk = (name: string, message: string, status: number): Error => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, requestId: 'r-1' } });
    expect(mapAwsError(sdk('ResourceConflictException', 'Function already exist: f', 409), 'lambda:CreateFunction')).toMatchObject({ kind: 'conflict', cloudCode: 'ResourceConflictException', httpStatus: 409 });
    expect(mapAwsError(sdk('PreconditionFailedException', 'The Revision Id provided does not match', 412), 'lambda:UpdateFunctionCode').kind).toBe('conflict');
    expect(mapAwsError(sdk('CodeStorageExceededException', 'Code storage limit exceeded.', 400), 'lambda:CreateFunction').kind).toBe('quota_exceeded');
    expect(mapAwsError(sdk('ValidationException', "1 validation error detected: Value 'python9' at 'runtime'", 400), 'lambda:CreateFunction').kind).toBe('invalid_request');
    expect(mapAwsError(sdk('InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.', 400), 'lambda:CreateFunction').kind).toBe('invalid_request');
    expect(mapAwsError(sdk('BadDigest', 'The SHA256 you specified did not match the calculated checksum.', 400), 's3:PutObject').kind).toBe('invalid_request');
    expect(mapAwsError(sdk('NoSuchKey', 'The specified key does not exist.', 404), 's3:GetObject').kind).toBe('not_found');
    expect(mapAwsError(sdk('NoSuchBucket', 'The specified bucket does not exist', 404), 's3:PutObject').kind).toBe('not_found');
    // Lambda reports a missing package as a bad parameter with S3's code in the sentence: that is a missing resource.
    const missing = mapAwsError(sdk('InvalidParameterValueException', 'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.', 400), 'lambda:CreateFunction');
    expect(missing).toMatchObject({ kind: 'not_found', cloudCode: 'InvalidParameterValueException', httpStatus: 400 });
    expect(mapAwsError(sdk('InvalidParameterValueException', 'Error occurred while GetObject. S3 Error Code: PermanentRedirect.', 400), 'lambda:CreateFunction').kind).toBe('invalid_request');
  });

  it('AWS deployment: refusals name the spec field the cloud complained about', () => {
    expect(deploymentFieldsOf("1 validation error detected: Value 'python9' at 'runtime' failed to satisfy constraint")).toEqual(['runtime']);
    expect(deploymentFieldsOf("2 validation errors detected: Value '64' at 'memorySize' …; Value '0' at 'timeout' …")).toEqual(['memoryMb', 'timeoutSeconds']);
    expect(deploymentFieldsOf('User: arn:aws:sts::1:assumed-role/t/s is not authorized to perform: iam:PassRole on resource: arn:aws:iam::1:role/x')).toEqual(['executionRoleArn']);
    expect(deploymentFieldsOf('Error occurred while GetObject. S3 Error Code: NoSuchKey.')).toEqual(['code']);
    expect(deploymentFieldsOf('Rate exceeded')).toEqual([]);
    const refused = new ProviderError({ kind: 'invalid_request', provider: 'aws', operation: 'lambda:CreateFunction', cloudCode: 'ValidationException', httpStatus: 400, requestId: 'r', cloudMessage: "Value 'has space' at 'handler' failed to satisfy constraint" });
    const named = withDeploymentField(refused);
    expect(named.message).toBe(`handler: ${refused.message}`);
    expect(named).toMatchObject({ kind: 'invalid_request', cloudCode: 'ValidationException', httpStatus: 400, requestId: 'r', cloudMessage: refused.cloudMessage });
    // Throttling and outages concern no field.
    const throttled = new ProviderError({ kind: 'throttled', provider: 'aws', operation: 'lambda:CreateFunction', cloudMessage: "at 'runtime'" });
    expect(withDeploymentField(throttled)).toBe(throttled);
  });

  it('AWS deployment: State and LastUpdateStatus fold into one neutral state', () => {
    expect(functionStateOf({ State: 'Pending', StateReason: 'The function is being created.' })).toEqual({ state: 'pending', stateReason: 'The function is being created.' });
    expect(functionStateOf({ State: 'Active', LastUpdateStatus: 'InProgress' })).toEqual({ state: 'pending' });
    expect(functionStateOf({ State: 'Active', LastUpdateStatus: 'Successful' })).toEqual({ state: 'active' });
    expect(functionStateOf({ State: 'Active', LastUpdateStatus: 'Failed', LastUpdateStatusReason: 'bad zip' })).toEqual({ state: 'failed', stateReason: 'bad zip' });
    expect(functionStateOf({ State: 'Failed', StateReason: 'role' })).toEqual({ state: 'failed', stateReason: 'role' });
    expect(functionStateOf({ State: 'Inactive' })).toEqual({ state: 'inactive' });
    // Functions from before states existed report none: they are active.
    expect(functionStateOf({})).toEqual({ state: 'active' });
  });

  it('Aliyun: FC codes come from data.ErrorCode, STS codes from data.Code', () => {
    const fc = Object.assign(new Error('code: 404, undefined request id: undefined'), { code: 'undefined', statusCode: 404, data: { ErrorCode: 'FunctionNotFound', ErrorMessage: 'function f does not exist', statusCode: 404 } });
    expect(mapAliyunError(fc, 'fc:InvokeFunction')).toMatchObject({ kind: 'not_found', cloudCode: 'FunctionNotFound', cloudMessage: 'function f does not exist' });
    const sts = Object.assign(new Error('x'), { code: 'Throttling.User', statusCode: 400, data: { Code: 'Throttling.User', Message: 'flow control', RequestId: 'R1' } });
    expect(mapAliyunError(sts, 'sts:AssumeRole')).toMatchObject({ kind: 'throttled', requestId: 'R1' });
    expect(mapAliyunError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'sts:AssumeRole').kind).toBe('unavailable');
  });

  it('Aliyun OSS: ali-oss errors carry code, status and requestId; status -1/-2 means no answer', () => {
    const oss = (code: string, status: number, message = 'x'): Error => Object.assign(new Error(message), { name: `${code}Error`, code, status, requestId: '5C3D9175B6FC201293AD4890' });
    expect(mapAliyunError(oss('NoSuchBucket', 404, 'The specified bucket does not exist.'), 'oss:ListObjects')).toMatchObject({ kind: 'not_found', cloudCode: 'NoSuchBucket', httpStatus: 404, requestId: '5C3D9175B6FC201293AD4890' });
    expect(mapAliyunError(oss('NoSuchKey', 404), 'oss:HeadObject').kind).toBe('not_found');
    expect(mapAliyunError(oss('AccessDenied', 403, 'You are forbidden to oss:ListObjects on acs:oss:*:1:b.'), 'oss:ListObjects')).toMatchObject({ kind: 'access_denied', cloudMessage: 'You are forbidden to oss:ListObjects on acs:oss:*:1:b.' });
    expect(mapAliyunError(oss('SecurityTokenExpired', 403), 'oss:PutObject').kind).toBe('expired_credentials');
    for (const code of ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'RequestTimeTooSkewed', 'InvalidSecurityToken']) expect(mapAliyunError(oss(code, 403), 'oss:PutObject').kind).toBe('invalid_credentials');
    expect(mapAliyunError(oss('InvalidDigest', 400), 'oss:PutObject').kind).toBe('invalid_request');
    expect(mapAliyunError(oss('ServiceUnavailable', 503), 'oss:PutObject').kind).toBe('unavailable');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'RequestError', code: 'RequestError', status: -1 });
    expect(mapAliyunError(refused, 'oss:ListObjects')).toMatchObject({ kind: 'unavailable', cloudCode: 'RequestError' });
    expect(mapAliyunError(refused, 'oss:ListObjects').message).toMatch(/could not be reached:/);
    const timeout = Object.assign(new Error('ResponseTimeoutError: Response timeout for 10ms'), { name: 'ResponseTimeoutError', code: 'ResponseTimeoutError', status: -2 });
    expect(mapAliyunError(timeout, 'oss:PutObject').kind).toBe('unavailable');
  });

  it('Aliyun FC deployment codes: conflicts, quotas, missing packages, invalid fields', () => {
    const fc = (ErrorCode: string, statusCode: number, ErrorMessage = 'x'): Error => Object.assign(new Error(`code: ${statusCode}`), { code: 'undefined', statusCode, data: { ErrorCode, ErrorMessage, statusCode } });
    expect(mapAliyunError(fc('FunctionAlreadyExists', 409), 'fc:CreateFunction').kind).toBe('conflict');
    expect(mapAliyunError(fc('ServiceAlreadyExists', 409), 'fc:CreateService').kind).toBe('conflict');
    expect(mapAliyunError(fc('LimitExceeded', 400), 'fc:CreateFunction').kind).toBe('quota_exceeded');
    expect(mapAliyunError(fc('OSSObjectNotFound', 400), 'fc:CreateFunction').kind).toBe('not_found');
    expect(mapAliyunError(fc('InvalidArgument', 400, 'failed to get OSS object: the object does not exist'), 'fc:CreateFunction').kind).toBe('not_found');
    expect(mapAliyunError(fc('InvalidArgument', 400, "runtime is set to an invalid value: 'python9'"), 'fc:CreateFunction')).toMatchObject({ kind: 'invalid_request', cloudCode: 'InvalidArgument', httpStatus: 400 });
    expect(mapAliyunError(fc('AccessDenied', 403, "the caller is not authorized to perform 'ram:PassRole'"), 'fc:CreateService')).toMatchObject({ kind: 'access_denied', cloudCode: 'AccessDenied' });
    // An unknown 409 is still a conflict; an unknown 5xx unavailable.
    expect(mapAliyunError(fc('SomethingNew', 409), 'fc:UpdateFunction').kind).toBe('conflict');
    expect(mapAliyunError(fc('SomethingNew', 502), 'fc:UpdateFunction').kind).toBe('unavailable');
  });

  it('Tencent: codes, message-decided token failures, and answers that never came', () => {
    const err = (code: string | undefined, message: string, httpCode?: number): Error => Object.assign(new Error(message), { code, requestId: 'rid', ...(httpCode ? { httpCode } : {}) });
    expect(mapTencentError(err('AuthFailure.TokenFailure', 'Token verification failed.'), 'sts:AssumeRole').kind).toBe('invalid_credentials');
    expect(mapTencentError(err('AuthFailure.TokenFailure', 'the token has expired'), 'sts:AssumeRole').kind).toBe('expired_credentials');
    expect(mapTencentError(err('AuthFailure.SignatureExpire', 'skew'), 'sts:AssumeRole').kind).toBe('invalid_credentials');
    expect(mapTencentError(err('UnauthorizedOperation.CAM', 'no'), 'scf:Invoke').kind).toBe('access_denied');
    expect(mapTencentError(err('RequestSizeLimitExceeded', 'big'), 'scf:Invoke').kind).toBe('payload_too_large');
    expect(mapTencentError(err(undefined, 'Bad Gateway', 502), 'scf:Invoke')).toMatchObject({ kind: 'unavailable', httpStatus: 502 });
    expect(mapTencentError(Object.assign(new Error('request to http://x failed, reason: connect ECONNREFUSED'), { requestId: '' }), 'scf:Invoke').kind).toBe('unavailable');
  });

  it('Tencent SCF deployment: busy and existing functions conflict, quotas, and the field a parameter code names', () => {
    const err = (code: string, message = 'm'): Error => Object.assign(new Error(message), { code, requestId: 'rid' });
    expect(mapTencentError(err('ResourceInUse.Function'), 'scf:CreateFunction').kind).toBe('conflict');
    expect(mapTencentError(err('FailedOperation.UpdateFunctionCode'), 'scf:UpdateFunctionCode').kind).toBe('conflict');
    expect(mapTencentError(err('FailedOperation.CreateFunction'), 'scf:CreateFunction').kind).toBe('unavailable');
    expect(mapTencentError(err('LimitExceeded.Function'), 'scf:CreateFunction').kind).toBe('quota_exceeded');
    expect(mapTencentError(err('ResourceNotFound.Cos'), 'scf:CreateFunction').kind).toBe('not_found');
    const runtime = mapTencentError(err('InvalidParameterValue.Runtime', 'Runtime Cobol85 is not supported.'), 'scf:CreateFunction');
    expect(runtime).toMatchObject({ kind: 'invalid_request', cloudCode: 'InvalidParameterValue.Runtime', cloudMessage: 'Runtime Cobol85 is not supported.' });
    expect(runtime.message).toBe('Tencent Cloud scf:CreateFunction rejected the runtime [InvalidParameterValue.Runtime]: Runtime Cobol85 is not supported.');
    expect(scfFieldOfCode('InvalidParameterValue.MemorySize')).toBe('memory');
    expect(scfFieldOfCode('InvalidParameter.FunctionName')).toBe('function name');
    expect(scfFieldOfCode('InvalidParameterValue.Qualifier')).toBeUndefined();
  });

  it('Tencent COS: codes from the XML body, HEAD answers by status, the expired signature window, no answer at all', () => {
    const cos = (statusCode: number | undefined, code: string, body?: { Code: string; Message: string }): unknown =>
      Object.assign(new Error(body?.Message ?? code), { code, ...(statusCode ? { statusCode } : {}), ...(body ? { error: { ...body, RequestId: 'req-1' } } : {}), headers: { 'x-cos-request-id': 'req-h' } });
    expect(mapCosError(cos(403, 'AccessDenied', { Code: 'AccessDenied', Message: 'Access Denied.' }), 'cos:GetBucket')).toMatchObject({ kind: 'access_denied', cloudCode: 'AccessDenied', httpStatus: 403, requestId: 'req-1' });
    expect(mapCosError(cos(403, 'AccessDenied', { Code: 'AccessDenied', Message: 'Request has expired' }), 'cos:GetBucket').kind).toBe('invalid_credentials');
    expect(mapCosError(cos(403, 'SignatureDoesNotMatch', { Code: 'SignatureDoesNotMatch', Message: 'x' }), 'cos:PutObject').kind).toBe('invalid_credentials');
    expect(mapCosError(cos(400, 'ExpiredToken', { Code: 'ExpiredToken', Message: 'x' }), 'cos:PutObject').kind).toBe('expired_credentials');
    expect(mapCosError(cos(404, 'NoSuchBucket', { Code: 'NoSuchBucket', Message: 'x' }), 'cos:GetBucket').kind).toBe('not_found');
    expect(mapCosError(cos(503, 'SlowDown', { Code: 'SlowDown', Message: 'x' }), 'cos:GetBucket').kind).toBe('throttled');
    expect(mapCosError(cos(404, '404'), 'cos:HeadObject')).toMatchObject({ kind: 'not_found', cloudCode: undefined, httpStatus: 404, requestId: 'req-h' });
    expect(mapCosError(cos(500, '500'), 'cos:HeadObject').kind).toBe('unavailable');
    expect(mapCosError(cos(undefined, 'ECONNREFUSED'), 'cos:PutObject')).toMatchObject({ kind: 'unavailable', cloudCode: 'ECONNREFUSED' });
  });

  it('keeps cloud messages short and free of known secrets', () => {
    expect(cleanCloudMessage('token abcdefgh12345 is bad', ['abcdefgh12345'])).toBe('token [redacted] is bad');
    expect(cleanCloudMessage('x'.repeat(2000))).toHaveLength(1001);
    const error = new ProviderError({ kind: 'throttled', provider: 'aws', operation: 'sts:AssumeRole', cloudCode: 'Throttling', httpStatus: 400, cloudMessage: 'Rate exceeded' });
    expect(error.message).toBe('AWS sts:AssumeRole throttled the call [Throttling 400]: Rate exceeded');
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ kind: 'throttled', cloudCode: 'Throttling' });
  });
});
