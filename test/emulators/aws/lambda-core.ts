import { authorize } from '../core/authz';
import type { EmulatorContext } from '../core/context';
import { ids } from '../core/ids';
import type { ConditionValue, Decision } from '../core/policy';
import { type Caller, currentLifecycle, type FunctionBehaviour, type FunctionCode, type FunctionDef } from '../core/state';
import type { AwsError } from './errors';

// What every Lambda handler shares: errors in Lambda's shape, targets, permission checks, the function record.

/** A refusal in Lambda's own code, status and wording. */
export class LambdaError extends Error {
  constructor(readonly error: AwsError) {
    super(error.message);
  }
}

export const fail = (status: number, code: string, message: string, extra: Partial<AwsError> = {}): LambdaError => new LambdaError({ status, code, message, ...extra });

export const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/;

/** Lambda's wording for a refusal names the policy type that failed to allow (or denied). */
export function accessDeniedMessage(caller: Caller, action: string, resource: string, decision: Decision): string {
  const base = `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource}`;
  const kind = decision.failed === 'session' ? 'session policy' : decision.failed === 'resource' ? 'resource-based policy' : 'identity-based policy';
  return decision.reason === 'explicit-deny' ? `${base} with an explicit deny in a ${kind}` : `${base} because no ${kind} allows the ${action} action`;
}

export interface Target {
  accountId: string;
  region: string;
  name: string;
  qualifier?: string;
  /** Qualified when a qualifier was given. */
  arn: string;
  unqualifiedArn: string;
}

/** FunctionName may be a name, `name:qualifier`, `account:function:name`, or a full ARN. */
export function resolveTarget(caller: Caller, scopeRegion: string, rawName: string, qualifierParam: string | undefined): Target {
  let accountId = caller.account.id;
  let region = scopeRegion;
  let rest = rawName;
  const arn = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:(.+)$/.exec(rawName);
  const partial = /^(\d{12}):function:(.+)$/.exec(rawName);
  if (arn) [, region, accountId, rest] = arn as unknown as [string, string, string, string];
  else if (partial) [, accountId, rest] = partial as unknown as [string, string, string];
  const [name = '', derived, ...extra] = rest.split(':');
  if (!NAME.test(name) || extra.length > 0 || (derived !== undefined && !QUALIFIER.test(derived))) {
    throw fail(400, 'ValidationException', `1 validation error detected: Value '${rawName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  }
  if (derived !== undefined && qualifierParam !== undefined && derived !== qualifierParam) {
    throw fail(400, 'InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
  }
  const qualifier = qualifierParam ?? derived;
  if (qualifier !== undefined && !QUALIFIER.test(qualifier)) throw fail(400, 'ValidationException', `1 validation error detected: Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)`);
  const unqualifiedArn = `arn:${caller.account.partition}:lambda:${region}:${accountId}:function:${name}`;
  return { accountId, region, name, qualifier, unqualifiedArn, arn: qualifier === undefined ? unqualifiedArn : `${unqualifiedArn}:${qualifier}` };
}

/** Evaluates the caller's policies for one action; Lambda answers a refusal with AccessDeniedException 403. */
export function check(ctx: EmulatorContext, caller: Caller, action: string, resource: string, region: string | undefined, resourceAccount?: string, context: Record<string, ConditionValue> = {}): void {
  // Function resource policies are not modelled: another account's function is always refused.
  // aws:RequestedRegion is the region the request was signed for; policies use it to hold account-wide actions to a region.
  const decision = authorize(caller, ctx.clock.now(), {
    action,
    resource,
    resourceAccount,
    context: { ...(region ? { 'aws:RequestedRegion': region } : {}), ...context },
  });
  if (!decision.allowed) throw fail(403, 'AccessDeniedException', accessDeniedMessage(caller, action, resource, decision));
}

// ---- the Lambda-only half of a function -------------------------------------------------------

/** A published version: the configuration and code as they were when it was published. */
export interface PublishedVersion {
  version: string;
  configuration: Record<string, unknown>;
  behaviour: FunctionBehaviour;
  codeSize: number;
}

/** A create or update that is still being applied: its code takes over when the pending time is up. */
export interface PendingChange {
  kind: 'create' | 'update';
  /** The new package's behaviour; the function keeps running its old one until the change is through. */
  behaviour?: FunctionBehaviour;
  /** The code before an update (CodeSha256 reports the new code at once, and goes back to this when the update fails). */
  previousCode?: FunctionCode;
  /** Set when the change will end in failure (State Failed for a create, LastUpdateStatus Failed for an update). */
  failure?: { reason: string; reasonCode: string };
}

/** What Lambda reports that the shared {@link FunctionDef} has no words for. */
export interface LambdaRecord {
  revisionId: string;
  change?: PendingChange;
  stateReasonCode?: string;
  lastUpdate: { status: 'Successful' | 'Failed'; reason?: string; reasonCode?: string };
  published: Map<string, PublishedVersion>;
}

const records = new WeakMap<FunctionDef, LambdaRecord>();

/** The Lambda record of a function; admin-made functions get a settled one on first use. */
export function recordOf(def: FunctionDef): LambdaRecord {
  let record = records.get(def);
  if (!record) {
    record = { revisionId: ids.requestId(), lastUpdate: { status: 'Successful' }, published: new Map() };
    records.set(def, record);
  }
  return record;
}

/**
 * Ends a pending change whose time is up: the new code takes over, or the change fails (a create
 * leaves the function Failed, an update keeps the old code and reports LastUpdateStatus Failed).
 */
export function settle(def: FunctionDef, nowMs = Date.now()): void {
  const record = recordOf(def);
  const change = record.change;
  if (!change) {
    currentLifecycle(def, nowMs);
    return;
  }
  if (def.lifecycle === 'pending' && def.readyAt !== undefined && nowMs < def.readyAt) return;
  delete record.change;
  delete def.readyAt;
  delete def.stateReason;
  delete record.stateReasonCode;
  def.lifecycle = 'active';
  if (change.failure && change.kind === 'create') {
    def.lifecycle = 'failed';
    def.stateReason = change.failure.reason;
    record.stateReasonCode = change.failure.reasonCode;
  } else if (change.failure) {
    record.lastUpdate = { status: 'Failed', reason: change.failure.reason, reasonCode: change.failure.reasonCode };
    if (change.previousCode) def.code = change.previousCode;
  } else {
    if (change.behaviour) def.behaviour = change.behaviour;
    record.lastUpdate = { status: 'Successful' };
  }
}

/** Starts a change that stays pending for the configured time. */
export function beginChange(ctx: EmulatorContext, def: FunctionDef, change: PendingChange): void {
  const record = recordOf(def);
  record.change = change;
  record.revisionId = ids.requestId();
  def.lifecycle = 'pending';
  def.readyAt = Date.now() + ctx.deployment.pendingMs;
  def.stateReason = change.kind === 'create' ? 'The function is being created.' : 'The function is being updated.';
  def.lastModified = ctx.clock.now();
  // A zero delay settles at once, so the very next read already sees the outcome.
  if (ctx.deployment.pendingMs <= 0) settle(def);
}

/** Finds the function (settling a finished change first) and the version a qualifier names. */
export function findFunction(ctx: EmulatorContext, target: Target): { def: FunctionDef; version: string } {
  const def = ctx.state.findFunction('aws', target.accountId, target.region, '', target.name);
  const notFound = fail(404, 'ResourceNotFoundException', `Function not found: ${target.arn}`);
  if (!def) throw notFound;
  settle(def);
  const q = target.qualifier;
  if (q === undefined || q === '$LATEST') return { def, version: '$LATEST' };
  if (def.versions.includes(q)) return { def, version: q };
  const aliased = def.aliases[q];
  if (aliased !== undefined) return { def, version: aliased };
  throw notFound;
}

/** `2026-01-01T00:00:00.000+0000`, the way Lambda writes LastModified. */
export function lambdaTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/** Lambda's CodeSha256: base64 of the package's SHA-256 (Tether's metadata carries hex). */
export function codeSha256(def: FunctionDef): string {
  if (def.code) return Buffer.from(def.code.sha256, 'hex').toString('base64');
  return Buffer.from(`${def.name}:${def.behaviour.type}`).toString('base64');
}

/** FunctionConfiguration as Lambda returns it from Create/Get/Update/Publish and in listings. */
export function configuration(def: FunctionDef, partition: string, version = '$LATEST'): Record<string, unknown> {
  const published = version === '$LATEST' ? undefined : recordOf(def).published.get(version);
  if (published) return published.configuration;
  const record = recordOf(def);
  const arn = `arn:${partition}:lambda:${def.region}:${def.accountId}:function:${def.name}`;
  const creating = def.lifecycle === 'pending' && record.change?.kind === 'create';
  const updating = def.lifecycle === 'pending' && record.change?.kind === 'update';
  const state = creating ? 'Pending' : def.lifecycle === 'failed' ? 'Failed' : 'Active';
  const variables = Object.keys(def.environment).length > 0 ? { Environment: { Variables: { ...def.environment } } } : {};
  return {
    FunctionName: def.name,
    FunctionArn: version === '$LATEST' ? arn : `${arn}:${version}`,
    Runtime: def.runtime,
    Role: def.roleArn ?? `arn:${partition}:iam::${def.accountId}:role/${def.name}-execution`,
    Handler: def.handler,
    CodeSize: def.code?.size ?? 1024,
    Description: def.description ?? (def.code ? '' : `emulated ${def.behaviour.type} function`),
    Timeout: def.timeoutSeconds,
    MemorySize: def.memoryMb,
    LastModified: lambdaTime(def.lastModified),
    CodeSha256: codeSha256(def),
    Version: version,
    ...variables,
    RevisionId: record.revisionId,
    State: state,
    ...(creating ? { StateReason: def.stateReason, StateReasonCode: 'Creating' } : {}),
    ...(def.lifecycle === 'failed' ? { StateReason: def.stateReason, StateReasonCode: record.stateReasonCode } : {}),
    // A function being created has no update to report yet.
    ...(creating
      ? {}
      : updating
        ? { LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being created.', LastUpdateStatusReasonCode: 'Creating' }
        : {
            LastUpdateStatus: record.lastUpdate.status,
            ...(record.lastUpdate.reason ? { LastUpdateStatusReason: record.lastUpdate.reason, LastUpdateStatusReasonCode: record.lastUpdate.reasonCode } : {}),
          }),
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
  };
}
