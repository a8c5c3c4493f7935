import { isoSeconds } from './clock';
import { type ConditionValue, type Decision, decide, type Policy } from './policy';
import type { Caller } from './state';

/** Condition keys every request carries, in the cloud's own prefix (`aws:`, `acs:`, `qcs:`). */
export function globalContext(caller: Caller, now: Date): Record<string, ConditionValue> {
  const prefix = caller.cloud === 'aws' ? 'aws' : caller.cloud === 'aliyun' ? 'acs' : 'qcs';
  const session = caller.session;
  const context: Record<string, ConditionValue> = {
    [`${prefix}:CurrentTime`]: isoSeconds(now),
    [`${prefix}:EpochTime`]: String(Math.floor(now.getTime() / 1000)),
    [`${prefix}:PrincipalArn`]: caller.principalArn,
    [`${prefix}:PrincipalAccount`]: caller.account.id,
    [`${prefix}:userid`]: caller.userId,
    [`${prefix}:SecureTransport`]: 'false',
  };
  if (caller.user && !caller.user.root) context[`${prefix}:username`] = caller.user.name;
  // Only temporary credentials carry an issue time: that is what "deny sessions older than X" keys on.
  if (session) context[`${prefix}:TokenIssueTime`] = isoSeconds(session.issuedAt);
  if (session?.sourceIdentity) context[`${prefix}:SourceIdentity`] = session.sourceIdentity;
  for (const [key, value] of Object.entries(session?.tags ?? {})) context[`${prefix}:PrincipalTag/${key}`] = value;
  return context;
}

export interface AuthorizeInput {
  action: string;
  resource: string;
  /** Extra, service-specific condition keys (`sts:ExternalId`, `s3:prefix`). */
  context?: Record<string, ConditionValue>;
  resourcePolicy?: Policy;
  /** Account that owns the resource; defaults to the caller's. */
  resourceAccount?: string;
  /** AWS: a same-account resource policy naming the caller is enough on its own. */
  resourcePolicyAloneSuffices?: boolean;
}

/** Runs the policy evaluation for one action of one authenticated caller. */
export function authorize(caller: Caller, now: Date, input: AuthorizeInput): Decision {
  return decide({
    request: {
      action: input.action,
      resource: input.resource,
      principal: caller.principal,
      context: { ...globalContext(caller, now), ...input.context },
    },
    identityPolicies: caller.identityPolicies,
    identityAllowsAll: caller.identityAllowsAll,
    sessionPolicies: caller.sessionPolicies,
    resourcePolicy: input.resourcePolicy,
    sameAccount: (input.resourceAccount ?? caller.account.id) === caller.account.id,
    resourcePolicyAloneSuffices: input.resourcePolicyAloneSuffices ?? caller.cloud === 'aws',
  });
}
