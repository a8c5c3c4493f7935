import { TetherError } from '../common/problem/tether-error';
import { isProviderError } from '../providers/provider-error';
import { isTimeout } from './retry';
import { problemExtras, retryAfterHeaders } from '../providers/problem-extras';

/**
 * Rewrites a cloud's refusal of an invocation as a Tether problem. The cloud's code and request id
 * stay in the body (`cloudCode`, `cloudRequestId`): they name the missing permission or the
 * throttle for whoever reads the customer's CloudTrail / ActionTrail / CloudAudit.
 */
export function invocationProblem(error: unknown, what: string): unknown {
  if (!isProviderError(error)) return error;
  const extras = problemExtras(error);
  switch (error.kind) {
    case 'not_found':
      return new TetherError('function-not-found', `${error.message}. Check the function name${error.provider === 'aws' ? '' : ' and the connection\'s namespace'} and region (${what}).`, extras);
    case 'access_denied':
    case 'invalid_credentials':
    case 'expired_credentials':
      return new TetherError('cloud-access-denied', `${error.message}. The role's permission policy must allow ${error.operation} on ${what}; GET /connections/:id/trust-policy shows the policy to install.`, extras);
    case 'throttled':
      return new TetherError('cloud-throttled', `${error.message}. Slow down, or raise the function's concurrency in the cloud.`, {
        ...extras,
        headers: retryAfterHeaders(error),
      });
    case 'payload_too_large':
      return new TetherError('function-payload-too-large', `${error.message}.`, extras);
    case 'invalid_request':
    case 'conflict':
    case 'quota_exceeded':
      return new TetherError('cloud-rejected-request', `${error.message}.`, extras);
    case 'unsupported':
      return new TetherError('not-applicable', `${error.message}.`, extras);
    case 'unavailable':
      if (isTimeout(error)) return new TetherError('function-timeout', `${what} did not answer in time (${error.message}); raise timeoutSeconds or make the function faster.`, extras);
      return new TetherError('cloud-unavailable', `${error.message}; try again.`, extras);
  }
}
