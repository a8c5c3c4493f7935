import { ids } from '../core/ids';
import { type EmuResponse, el, json, xml } from '../core/http';
import type { AuthFailure } from './sigv4';

/** How a service writes its errors: awsQuery XML (STS), REST-JSON (Lambda), S3 XML, API Gateway JSON. */
export type AwsProtocol = 'query' | 'rest-json' | 's3' | 'apigw';

export interface AwsError {
  status: number;
  code: string;
  message: string;
  /** Extra headers (`Retry-After`) or body fields (`Reason`, S3's `BucketName`). */
  headers?: Record<string, string>;
  fields?: Record<string, string>;
}

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function awsErrorResponse(protocol: AwsProtocol, error: AwsError, method = 'GET'): EmuResponse {
  const requestId = ids.requestId();
  switch (protocol) {
    case 'query':
      return xml(
        error.status,
        `<ErrorResponse xmlns="${STS_NS}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>${el('Code', error.code)}${el('Message', error.message)}</Error>${el('RequestId', requestId)}</ErrorResponse>`,
        { 'x-amzn-requestid': requestId, ...error.headers },
      );
    case 'rest-json':
      // The JS SDK takes the error name from x-amzn-ErrorType.
      return json(error.status, { Type: error.status >= 500 ? 'Service' : 'User', message: error.message, ...error.fields }, { 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId, ...error.headers });
    case 'apigw':
      return json(error.status, { message: error.message }, { 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId, ...error.headers });
    case 's3': {
      const headers = { 'x-amz-request-id': requestId.replace(/-/g, '').slice(0, 16).toUpperCase(), 'x-amz-id-2': ids.secret(60), ...error.headers };
      // HEAD responses never carry a body: the SDK only sees the status.
      if (method === 'HEAD') return { status: error.status, headers, body: '' };
      const extra = Object.entries(error.fields ?? {}).map(([k, v]) => el(k, v)).join('');
      return xml(error.status, `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${el('Code', error.code)}${el('Message', error.message)}${extra}${el('RequestId', headers['x-amz-request-id'])}${el('HostId', headers['x-amz-id-2'])}</Error>`, { ...headers, 'content-type': 'application/xml' });
    }
  }
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';
const BAD_SIGNATURE = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** Each service's own code, status and wording for an authentication failure. */
export function authError(protocol: AwsProtocol, failure: AuthFailure): AwsError {
  const rest = protocol === 'rest-json' || protocol === 'apigw';
  switch (failure.code) {
    case 'missing':
      if (protocol === 's3') return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
      if (protocol === 'query') return { status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' };
      return { status: 403, code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    case 'malformed':
      if (protocol === 's3') return { status: 400, code: 'AuthorizationHeaderMalformed', message: failure.message };
      return { status: rest ? 403 : 400, code: rest ? 'IncompleteSignatureException' : 'IncompleteSignature', message: failure.message };
    case 'skew':
      if (protocol === 's3') {
        return { status: 403, code: 'RequestTimeTooSkewed', message: 'The difference between the request time and the current time is too large.', fields: { RequestTime: failure.requestTime, ServerTime: failure.serverTime, MaxAllowedSkewMilliseconds: '900000' } };
      }
      return { status: 403, code: rest ? 'InvalidSignatureException' : 'SignatureDoesNotMatch', message: failure.message };
    case 'unknown-key':
    case 'inactive-key':
    case 'missing-token':
      if (protocol === 's3') return { status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.', fields: { AWSAccessKeyId: failure.accessKeyId } };
      return { status: 403, code: rest ? 'UnrecognizedClientException' : 'InvalidClientTokenId', message: INVALID_TOKEN };
    case 'bad-token':
      if (protocol === 's3') return { status: 400, code: 'InvalidToken', message: 'The provided token is malformed or otherwise invalid.' };
      return { status: 403, code: rest ? 'UnrecognizedClientException' : 'InvalidClientTokenId', message: INVALID_TOKEN };
    case 'signature':
      if (protocol === 's3') {
        return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', fields: { StringToSign: failure.stringToSign, CanonicalRequest: failure.canonicalRequest } };
      }
      return { status: 403, code: rest ? 'InvalidSignatureException' : 'SignatureDoesNotMatch', message: BAD_SIGNATURE };
    case 'expired-token':
      if (protocol === 's3') return { status: 400, code: 'ExpiredToken', message: 'The provided token has expired.' };
      // STS answers 400 (clouds.md, unconfirmed); Lambda and API Gateway 403.
      return rest ? { status: 403, code: 'ExpiredTokenException', message: EXPIRED_TOKEN } : { status: 400, code: 'ExpiredToken', message: EXPIRED_TOKEN };
    case 'payload-hash':
      if (protocol === 's3') return { status: 400, code: 'XAmzContentSHA256Mismatch', message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
      return { status: 403, code: rest ? 'InvalidSignatureException' : 'SignatureDoesNotMatch', message: BAD_SIGNATURE };
  }
}
