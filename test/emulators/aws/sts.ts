import { authorize } from '../core/authz';
import { isoSeconds } from '../core/clock';
import { type EmulatorContext, injectFault } from '../core/context';
import { type EmuResponse, el, type EmuRequest, header, parseQueryString, xml } from '../core/http';
import { ids } from '../core/ids';
import { parsePolicy, type Policy, PolicyParseError } from '../core/policy';
import type { Caller, Role, Session } from '../core/state';
import { type AwsError, awsErrorResponse, authError } from './errors';
import { isAuthFailure, verifySigV4 } from './sigv4';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const NAME_PATTERN = /^[\w+=,.@-]*$/;
const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]*$/;
// Session policies may only use tab, LF, CR and the printable Latin-1 range.
const POLICY_CHARS = /^[\u0009\u000A\u000D\u0020-\u00FF]*$/;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role(\/[\x21-\x7E]*)?\/([\w+=,.@-]{1,64})$/;
const CHAINING_MESSAGE = 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';

type Params = Map<string, string>;

class StsError extends Error {
  constructor(readonly error: AwsError) {
    super(error.message);
  }
}

const denied = (message: string): StsError => new StsError({ status: 403, code: 'AccessDenied', message });

/** Collects model-validation failures and words them like STS ("2 validation errors detected: …"). */
class Validation {
  private readonly problems: string[] = [];

  length(field: string, value: string | undefined, min: number, max: number): void {
    if (value === undefined) return;
    if (value.length < min) this.problems.push(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
    else if (value.length > max) this.problems.push(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }

  pattern(field: string, value: string | undefined, pattern: RegExp, shown: string): void {
    if (value !== undefined && !pattern.test(value)) this.problems.push(`Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${shown}`);
  }

  required(field: string, value: string | undefined): void {
    if (value === undefined) this.problems.push(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }

  range(field: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined) return;
    if (value < min) this.problems.push(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
    else if (value > max) this.problems.push(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  }

  throwIfAny(): void {
    if (this.problems.length === 0) return;
    const n = this.problems.length;
    throw new StsError({ status: 400, code: 'ValidationError', message: `${n} validation error${n > 1 ? 's' : ''} detected: ${this.problems.join('; ')}` });
  }
}

function integer(params: Params, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new StsError({ status: 400, code: 'ValidationError', message: `Value '${raw}' for parameter ${name} is invalid.` });
  return Number(raw);
}

function sessionPolicy(raw: string | undefined, v: Validation): Policy | undefined {
  if (raw === undefined) return undefined;
  v.length('policy', raw, 1, 2048);
  v.pattern('policy', raw, POLICY_CHARS, '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+');
  v.throwIfAny();
  try {
    const policy = parsePolicy(raw, 'aws');
    if (policy.statements.some((s) => s.principal || s.notPrincipal)) throw new PolicyParseError('Policy document should not specify a principal.');
    return policy;
  } catch (error) {
    const message = error instanceof PolicyParseError && error.message.startsWith('Policy document') ? error.message : 'The policy is not in the valid JSON format.';
    throw new StsError({ status: 400, code: 'MalformedPolicyDocument', message });
  }
}

function tags(params: Params, v: Validation): Record<string, string> {
  const out: Record<string, string> = {};
  for (let n = 1; params.has(`Tags.member.${n}.Key`); n++) {
    const key = params.get(`Tags.member.${n}.Key`)!;
    const value = params.get(`Tags.member.${n}.Value`) ?? '';
    v.length(`tags.${n}.member.key`, key, 1, 128);
    v.length(`tags.${n}.member.value`, value, 0, 256);
    out[key] = value;
  }
  if (Object.keys(out).length > 50) v.range('tags', Object.keys(out).length, 0, 50);
  return out;
}

function credentialsXml(session: Session): string {
  return `<Credentials>${el('AccessKeyId', session.accessKeyId)}${el('SecretAccessKey', session.secret)}${el('SessionToken', session.token)}${el('Expiration', isoSeconds(session.expiresAt))}</Credentials>`;
}

function respond(action: string, result: string): EmuResponse {
  const requestId = ids.requestId();
  return xml(200, `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata>${el('RequestId', requestId)}</ResponseMetadata></${action}Response>`, { 'x-amzn-requestid': requestId });
}

/** STS reports the packed size of session policy and tags as a percentage of the allowed maximum. */
function packedPolicySize(policy: string | undefined, sessionTags: Record<string, string>): number | undefined {
  if (policy === undefined && Object.keys(sessionTags).length === 0) return undefined;
  const bytes = (policy?.replace(/\s+/g, '').length ?? 0) + JSON.stringify(sessionTags).length;
  return Math.max(1, Math.ceil((bytes / 2048) * 100 * 0.6));
}

function findRole(ctx: EmulatorContext, caller: Caller, arn: string): Role | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, account, , name] = m;
  // Partitions are separate worlds: an aws-cn role is invisible from aws credentials.
  if (partition !== caller.account.partition) return undefined;
  const exact = ctx.state.role('aws', arn);
  if (exact) return exact;
  // AssumeRole resolves the role by account and name; the path in the ARN does not matter.
  return [...ctx.state.roles.values()].find((r) => r.cloud === 'aws' && r.accountId === account && r.name === name);
}

function assumeRole(ctx: EmulatorContext, caller: Caller, params: Params): EmuResponse {
  const roleArnParam = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  const externalId = params.get('ExternalId');
  const sourceIdentity = params.get('SourceIdentity');
  const rawPolicy = params.get('Policy');
  const v = new Validation();
  v.required('roleArn', roleArnParam);
  v.length('roleArn', roleArnParam, 20, 2048);
  v.required('roleSessionName', sessionName);
  v.length('roleSessionName', sessionName, 2, 64);
  v.pattern('roleSessionName', sessionName, NAME_PATTERN, '[\\w+=,.@-]*');
  v.length('externalId', externalId, 2, 1224);
  v.pattern('externalId', externalId, EXTERNAL_ID_PATTERN, '[\\w+=,.@:\\/-]*');
  v.length('sourceIdentity', sourceIdentity, 2, 64);
  v.pattern('sourceIdentity', sourceIdentity, NAME_PATTERN, '[\\w+=,.@-]*');
  const requested = integer(params, 'DurationSeconds');
  v.range('durationSeconds', requested, 900, 43200);
  const sessionTags = tags(params, v);
  v.throwIfAny();
  if ([...params.keys()].some((k) => k.startsWith('PolicyArns.'))) {
    throw new StsError({ status: 400, code: 'ValidationError', message: 'PolicyArns are not modelled by the emulator; send an inline Policy instead.' });
  }
  const policy = sessionPolicy(rawPolicy, v);
  const roleArn = roleArnParam!;
  const record = (outcome: 'ok' | 'denied' | 'error', code?: string, durationSeconds?: number): void =>
    ctx.counters.assumeRole({ cloud: 'aws', roleArn, callerArn: caller.arn, outcome, code, externalId, sessionName, durationSeconds, sessionPolicy: rawPolicy, at: isoSeconds(ctx.clock.now()) });

  if (caller.type === 'root') {
    record('denied', 'AccessDenied');
    throw denied('Roles may not be assumed by root accounts.');
  }
  const notAuthorized = `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
  const role = findRole(ctx, caller, roleArn);
  if (!role) {
    // A missing role is indistinguishable from a refused one, so role names cannot be probed.
    record('denied', 'AccessDenied');
    throw denied(notAuthorized);
  }
  if (caller.session?.sourceIdentity && sourceIdentity !== undefined && sourceIdentity !== caller.session.sourceIdentity) {
    record('denied', 'AccessDenied');
    throw denied(notAuthorized);
  }
  const now = ctx.clock.now();
  const context: Record<string, string | string[] | undefined> = {
    'sts:ExternalId': externalId,
    'sts:RoleSessionName': sessionName,
    'sts:SourceIdentity': sourceIdentity,
    'aws:TagKeys': Object.keys(sessionTags).length ? Object.keys(sessionTags) : undefined,
  };
  for (const [k, val] of Object.entries(sessionTags)) context[`aws:RequestTag/${k}`] = val;
  // Passing tags or a source identity needs its own trust-policy action on top of sts:AssumeRole.
  const actions = ['sts:AssumeRole', ...(Object.keys(sessionTags).length ? ['sts:TagSession'] : []), ...(sourceIdentity !== undefined ? ['sts:SetSourceIdentity'] : [])];
  for (const action of actions) {
    const decision = authorize(caller, now, { action, resource: role.arn, context, resourcePolicy: role.trustPolicy, resourceAccount: role.accountId });
    if (!decision.allowed) {
      record('denied', 'AccessDenied');
      throw denied(action === 'sts:AssumeRole' ? notAuthorized : `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${roleArn}`);
    }
  }
  const chained = caller.type === 'assumed-role';
  const durationSeconds = requested ?? 3600;
  if (chained && durationSeconds > 3600) {
    record('error', 'ValidationError', durationSeconds);
    throw new StsError({ status: 400, code: 'ValidationError', message: CHAINING_MESSAGE });
  }
  if (durationSeconds > role.maxSessionDurationSeconds) {
    record('error', 'ValidationError', durationSeconds);
    throw new StsError({ status: 400, code: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' });
  }
  const partition = caller.account.partition;
  const session = ctx.state.issueSession({
    cloud: 'aws',
    kind: 'assumed-role',
    accountId: role.accountId,
    durationSeconds,
    roleArn: role.arn,
    sessionName: sessionName!,
    arn: `arn:${partition}:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
    userId: `${role.roleId}:${sessionName}`,
    sessionPolicy: policy,
    rawSessionPolicy: rawPolicy,
    externalId,
    // A source identity, once set, follows every chained session.
    sourceIdentity: caller.session?.sourceIdentity ?? sourceIdentity,
    tags: sessionTags,
    issuedTo: caller.arn,
    chained,
  });
  record('ok', undefined, durationSeconds);
  const packed = packedPolicySize(rawPolicy, sessionTags);
  return respond(
    'AssumeRole',
    `${credentialsXml(session)}<AssumedRoleUser>${el('AssumedRoleId', session.userId)}${el('Arn', session.arn)}</AssumedRoleUser>${el('PackedPolicySize', packed)}${el('SourceIdentity', session.sourceIdentity)}`,
  );
}

function getCallerIdentity(caller: Caller): EmuResponse {
  // Never denied by policy: even a session with a deny-all policy may ask who it is.
  return respond('GetCallerIdentity', `${el('Arn', caller.arn)}${el('UserId', caller.userId)}${el('Account', caller.account.id)}`);
}

function longTermUser(caller: Caller, action: string): void {
  if (caller.session) throw denied(`Cannot call ${action} with session credentials`);
}

function sessionDuration(params: Params, caller: Caller): number {
  const v = new Validation();
  const requested = integer(params, 'DurationSeconds');
  v.range('durationSeconds', requested, 900, 129600);
  v.throwIfAny();
  // The root user's sessions are capped at one hour.
  const max = caller.type === 'root' ? 3600 : 129600;
  return Math.min(requested ?? 43200, max);
}

function getSessionToken(ctx: EmulatorContext, caller: Caller, params: Params): EmuResponse {
  longTermUser(caller, 'GetSessionToken');
  const durationSeconds = sessionDuration(params, caller);
  const session = ctx.state.issueSession({ cloud: 'aws', kind: 'session-token', accountId: caller.account.id, durationSeconds, userArn: caller.arn, sessionName: caller.user!.name, arn: caller.arn, userId: caller.userId, tags: {}, issuedTo: caller.arn, chained: false });
  return respond('GetSessionToken', credentialsXml(session));
}

function getFederationToken(ctx: EmulatorContext, caller: Caller, params: Params): EmuResponse {
  longTermUser(caller, 'GetFederationToken');
  const name = params.get('Name');
  const rawPolicy = params.get('Policy');
  const v = new Validation();
  v.required('name', name);
  v.length('name', name, 2, 32);
  v.pattern('name', name, NAME_PATTERN, '[\\w+=,.@-]*');
  const sessionTags = tags(params, v);
  v.throwIfAny();
  const durationSeconds = sessionDuration(params, caller);
  const policy = sessionPolicy(rawPolicy, v);
  const arn = `arn:${caller.account.partition}:sts::${caller.account.id}:federated-user/${name}`;
  const decision = authorize(caller, ctx.clock.now(), { action: 'sts:GetFederationToken', resource: arn });
  if (!decision.allowed) throw denied(`User: ${caller.arn} is not authorized to perform: sts:GetFederationToken on resource: ${arn}`);
  const session = ctx.state.issueSession({
    cloud: 'aws',
    kind: 'federated',
    accountId: caller.account.id,
    durationSeconds,
    userArn: caller.arn,
    sessionName: name!,
    arn,
    userId: `${caller.account.id}:${name}`,
    sessionPolicy: policy,
    rawSessionPolicy: rawPolicy,
    tags: sessionTags,
    issuedTo: caller.arn,
    chained: false,
  });
  return respond(
    'GetFederationToken',
    `${credentialsXml(session)}<FederatedUser>${el('FederatedUserId', session.userId)}${el('Arn', arn)}</FederatedUser>${el('PackedPolicySize', packedPolicySize(rawPolicy, sessionTags))}`,
  );
}

/** AWS STS (awsQuery): form-encoded POST or GET with a query string. */
export async function handleAwsSts(req: EmuRequest, ctx: EmulatorContext): Promise<EmuResponse> {
  const params: Params = new Map(req.query);
  if (req.method === 'POST' && (header(req, 'content-type') ?? '').includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of parseQueryString(req.body.toString('utf8'))) params.set(k, v);
  }
  const action = params.get('Action') ?? '';
  ctx.counters.call('aws', 'sts', action || 'unknown');
  const auth = verifySigV4(req, ctx, { skewMinutes: 15, allowUnsignedPayload: false });
  if (isAuthFailure(auth)) return awsErrorResponse('query', authError('query', auth));
  try {
    const fault = await injectFault(ctx, 'aws', 'sts', action);
    if (fault) throw new StsError({ status: fault.status ?? 400, code: fault.code!, message: fault.message ?? 'Rate exceeded' });
    switch (action) {
      case 'AssumeRole':
        return assumeRole(ctx, auth.caller, params);
      case 'GetCallerIdentity':
        return getCallerIdentity(auth.caller);
      case 'GetSessionToken':
        return getSessionToken(ctx, auth.caller, params);
      case 'GetFederationToken':
        return getFederationToken(ctx, auth.caller, params);
      default:
        throw new StsError({ status: 400, code: 'InvalidAction', message: `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}` });
    }
  } catch (error) {
    if (error instanceof StsError) return awsErrorResponse('query', error.error);
    throw error;
  }
}
