import { type EmuResponse, json } from '../core/http';
import { ids } from '../core/ids';
import type { AcsAuthFailure } from './acs3';

export interface AcsError {
  status: number;
  code: string;
  message: string;
}

/** OpenAPI (STS) error body: `{RequestId, HostId, Code, Message, Recommend}`. */
export function popErrorResponse(error: AcsError, host = 'sts.aliyuncs.com'): EmuResponse {
  const requestId = ids.requestId().toUpperCase();
  return json(error.status, { RequestId: requestId, HostId: host, Code: error.code, Message: error.message, Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Sts` }, { 'x-acs-request-id': requestId });
}

/** FC's own error body: `{ErrorCode, ErrorMessage}` (the SDK's err.code stays undefined; read err.data.ErrorCode). */
export function fcErrorResponse(error: AcsError, extraHeaders: Record<string, string> = {}): EmuResponse {
  const requestId = ids.requestId();
  return json(error.status, { ErrorCode: error.code, ErrorMessage: error.message }, { 'x-fc-request-id': requestId, ...extraHeaders });
}

/** OpenAPI gateway wording (STS). Statuses are mostly 400, 404 for an unknown key (clouds.md, unconfirmed). */
export function popAuthError(failure: AcsAuthFailure): AcsError {
  switch (failure.code) {
    case 'missing':
      return { status: 400, code: 'MissingAuthorization', message: 'Authorization is mandatory for this action.' };
    case 'malformed':
      return { status: 400, code: 'IncompleteSignature', message: failure.message };
    case 'skew':
      return { status: 400, code: 'InvalidTimeStamp.Expired', message: 'Specified time stamp or date value is expired.' };
    case 'nonce-used':
      return { status: 400, code: 'SignatureNonceUsed', message: 'Specified signature nonce was used already.' };
    case 'unknown-key':
      return { status: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
    case 'inactive-key':
      return { status: 400, code: 'InvalidAccessKeyId.Inactive', message: 'Specified access key is disabled.' };
    case 'missing-token':
      return { status: 400, code: 'InvalidSecurityToken.Malformed', message: 'Specified SecurityToken is malformed.' };
    case 'bad-token':
      return { status: 400, code: 'InvalidSecurityToken.MismatchWithAccessKey', message: 'Specified SecurityToken mismatch with the AccessKey.' };
    case 'signature':
      return { status: 400, code: 'SignatureDoesNotMatch', message: `Specified signature is not matched with our calculation. server string to sign is:${failure.stringToSign}` };
    case 'expired-token':
      return { status: 400, code: 'InvalidSecurityToken.Expired', message: 'Specified SecurityToken is expired.' };
  }
}

/** FC 2.0's own wording (codes from FC's error list; statuses unconfirmed). */
export function fcAuthError(failure: AcsAuthFailure): AcsError {
  switch (failure.code) {
    case 'missing':
    case 'malformed':
      return { status: 403, code: 'MissingRequiredHeader', message: 'the Authorization header is missing or malformed' };
    case 'skew':
      return { status: 403, code: 'RequestTimeTooSkewed', message: 'the difference between the request time and the server time is too large' };
    case 'nonce-used':
      return { status: 403, code: 'SignatureNonceUsed', message: 'the signature nonce was used already' };
    case 'unknown-key':
      return { status: 403, code: 'InvalidAccessKeyID', message: `invalid access key ID '${failure.accessKeyId}'` };
    case 'inactive-key':
      return { status: 403, code: 'InvalidAccessKeyID', message: `access key ID '${failure.accessKeyId}' is disabled` };
    case 'missing-token':
    case 'bad-token':
      return { status: 403, code: 'InvalidSecurityToken', message: 'the security token is invalid' };
    case 'signature':
      return { status: 403, code: 'SignatureNotMatch', message: 'the request signature we calculated does not match the signature you provided' };
    case 'expired-token':
      return { status: 403, code: 'InvalidSecurityToken', message: 'the security token is expired' };
  }
}
