import { FieldError, TetherError } from '../common/problem/tether-error';
import { isProviderError, ProviderError } from '../providers/provider-error';
import { problemExtras, retryAfterHeaders } from '../providers/problem-extras';

/** Which deployment call failed, and the request fields its refusals can be about. */
export interface DeploymentCallContext {
  /** A sentence naming the object, e.g. "function score in us-east-1". */
  what: string;
  /** The problem for a cloud `not_found`: a missing package is the caller's code.key, a missing function a 404. */
  notFound: 'function' | 'package' | 'bucket';
  executionRoleArn?: string;
}

/** Words of a cloud's refusal, in the order they are looked for, and the request field each names. */
const FIELD_WORDS: readonly [RegExp, string][] = [
  [/runtime/i, 'runtime'],
  [/handler/i, 'handler'],
  [/memory/i, 'memoryMb'],
  [/timeout/i, 'timeoutSeconds'],
  [/environment|variable/i, 'environment'],
  [/role/i, 'functions.executionRoleArn'],
  [/zip|package|code|s3key|object/i, 'code.key'],
];

/** The request field a refusal is about: the one whose word comes first in the cloud's sentence. */
export function fieldOfRefusal(error: Pick<ProviderError, 'message' | 'cloudMessage'>): string | undefined {
  const text = `${said(error)} ${error.cloudMessage ?? ''}`;
  let best: { field: string; at: number } | undefined;
  for (const [pattern, field] of FIELD_WORDS) {
    const at = text.search(pattern);
    if (at >= 0 && (!best || at < best.at)) best = { field, at };
  }
  return best?.field;
}

/** The provider's sentence without its closing period, so Tether's own words can follow it. */
const said = (error: Pick<ProviderError, 'message'>) => error.message.replace(/[.\s]+$/, '');

const isPassRole = (error: ProviderError) => /passrole/i.test(`${said(error)} ${error.cloudMessage ?? ''} ${error.cloudCode ?? ''}`);

/**
 * Rewrites a cloud's refusal of a deployment call as a Tether problem naming the field to fix.
 * The cloud's code and request id stay in the body (`cloudCode`, `cloudRequestId`) for whoever
 * reads the customer's CloudTrail / ActionTrail / CloudAudit.
 */
export function deploymentProblem(error: unknown, context: DeploymentCallContext): unknown {
  if (!isProviderError(error)) return error;
  const extras = problemExtras(error);
  const withField = (field: string | undefined, message: string): { errors?: FieldError[] } => (field ? { errors: [{ field, message }] } : {});
  switch (error.kind) {
    case 'not_found':
      if (context.notFound === 'package') return new TetherError('code-package-not-found', `${said(error)}. Upload the package first (PUT /connections/:id/code/:key) or fix code.key.`, { ...extras, ...withField('code.key', 'names no object in the code bucket') });
      if (context.notFound === 'bucket') return new TetherError('unprocessable', `${said(error)}. Create the bucket, or fix functions.codeBucket on the connection.`, { ...extras, ...withField('functions.codeBucket', 'names no bucket the role can reach') });
      return new TetherError('function-not-found', `${said(error)} (${context.what}).`, extras);
    case 'access_denied':
      if (isPassRole(error)) {
        const role = context.executionRoleArn ?? 'the execution role';
        return new TetherError('cloud-permission-missing', `${said(error)}. The connection's role may not pass ${role} to the function service: functions.executionRoleArn must be the role the permission policy grants PassRole on; re-install the policy from GET /connections/:id/trust-policy.`, {
          ...extras,
          ...withField('functions.executionRoleArn', `the connection's role lacks PassRole on ${role}`),
        });
      }
      return new TetherError('cloud-permission-missing', `${said(error)}. The role's permission policy must allow ${error.operation} on ${context.what}; add "deploy" to functions.capabilities and re-install the policy from GET /connections/:id/trust-policy.`, extras);
    case 'invalid_credentials':
    case 'expired_credentials':
      return new TetherError('cloud-access-denied', `${said(error)}; validate the connection (POST /connections/:id/validate).`, extras);
    case 'invalid_request':
    case 'payload_too_large': {
      const field = error.kind === 'payload_too_large' ? 'code.key' : fieldOfRefusal(error);
      return new TetherError('cloud-rejected-request', `${said(error)}.`, { ...extras, ...withField(field, error.cloudMessage?.slice(0, 500) ?? error.message) });
    }
    case 'conflict':
      return new TetherError('function-conflict', `${said(error)}: ${context.what} exists already or is being changed; wait for the change to finish and deploy again.`, extras);
    case 'quota_exceeded':
      return new TetherError('cloud-quota-exceeded', `${said(error)}. Free capacity in the account (old versions, unused functions) or ask the cloud for a higher quota.`, extras);
    case 'throttled':
      return new TetherError('cloud-throttled', `${said(error)}. Slow down and try again.`, { ...extras, headers: retryAfterHeaders(error) });
    case 'unsupported':
      return new TetherError('not-applicable', `${said(error)}.`, extras);
    case 'unavailable':
      return new TetherError('cloud-unavailable', `${said(error)}; try again.`, extras);
  }
}
