import { TetherError } from '../common/problem/tether-error';
import { isProviderError, ProviderError } from '../providers';

/** Names of the checks, as the console and DESIGN.md know them. */
export const CHECKS = {
  assumeRole: 'assume_role_with_external_id',
  externalIdRequired: 'external_id_required',
  callerIdentity: 'caller_identity',
  codeBucket: 'code_bucket',
  functionAccess: 'function_access',
} as const;

/** The cloud's own words, kept so the user can search its documentation for them. */
export function cloudSays(error: ProviderError): string {
  const code = error.cloudCode ? `${error.cloudCode}` : error.kind;
  return error.cloudMessage ? `${code}: ${error.cloudMessage}` : code;
}

/** A sentence for a failed cloud call, saying what it likely means and what to do. */
export function explain(error: unknown, what: string): string {
  if (error instanceof TetherError) return `${what} failed: ${error.detail}`;
  if (!isProviderError(error)) return `${what} failed unexpectedly; try again, and report it if it persists.`;
  const says = cloudSays(error);
  switch (error.kind) {
    case 'access_denied':
      return `${what} was refused (${says}). Check that the role exists, that its trust policy is the one GET /connections/:id/trust-policy shows, and that the permission policy is attached.`;
    case 'not_found':
      return `${what} found nothing (${says}). Check the role ARN, region and names on the connection.`;
    case 'throttled':
      return `${what} was throttled by the cloud (${says}); validate again in a minute.`;
    case 'invalid_credentials':
    case 'expired_credentials':
      return `${what} was refused because the calling keys are ${error.kind === 'expired_credentials' ? 'expired' : 'not valid'} (${says}); replace them and validate again.`;
    case 'unavailable':
      return `${what} could not reach the cloud (${says}); validate again later.`;
    case 'unsupported':
      return `${what} is not supported here yet (${says}).`;
    default:
      return `${what} failed (${says}).`;
  }
}
