import { authorize } from '../core/authz';
import { isoSeconds } from '../core/clock';
import type { EmulatorContext } from '../core/context';
import type { EmuResponse } from '../core/http';
import { parsePolicy, type Policy, PolicyParseError } from '../core/policy';
import type { Caller, Role, Session } from '../core/state';
import { TcApiError, tcOk } from './response';

export const STS_ACTIONS = new Set(['AssumeRole', 'GetCallerIdentity', 'GetFederationToken']);

const ROLE_ARN = /^qcs::cam::uin\/(\d+):(?:roleName\/([\w+=,.@-]{1,128})|role\/(\d+))$/;
const NAME = /^[\w+=,.@-]*$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]*$/;

function str(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  return v === undefined || v === null ? undefined : String(v);
}

function required(body: Record<string, unknown>, name: string): string {
  const v = str(body, name);
  if (v === undefined || v === '') throw new TcApiError('MissingParameter', `The request is missing a required parameter \`${name}\`.`);
  return v;
}

function int(body: Record<string, unknown>, name: string, fallback: number): number {
  const v = body[name];
  if (v === undefined || v === null) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new TcApiError('InvalidParameter.ParamError', `${name} must be an integer.`);
  return n;
}

/** CAM session policies arrive URL-encoded and may not name a principal. */
function sessionPolicy(raw: string | undefined): Policy | undefined {
  if (raw === undefined) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new TcApiError('InvalidParameter.StrategyFormatError', 'The policy is not URL-encoded correctly.');
  }
  if (decoded.length > 2048) throw new TcApiError('InvalidParameter.PolicyTooLong', 'The policy is too long.');
  try {
    const policy = parsePolicy(decoded, 'tencent');
    if (policy.statements.some((s) => s.principal)) throw new TcApiError('InvalidParameter.StrategyFormatError', 'A session policy must not contain a principal.');
    return policy;
  } catch (error) {
    if (error instanceof PolicyParseError) throw new TcApiError('InvalidParameter.StrategyFormatError', `The policy is not valid: ${error.message}.`);
    throw error;
  }
}

function credentials(session: Session): Record<string, unknown> {
  return {
    Credentials: { Token: session.token, TmpSecretId: session.accessKeyId, TmpSecretKey: session.secret },
    ExpiredTime: Math.floor(session.expiresAt.getTime() / 1000),
    Expiration: isoSeconds(session.expiresAt),
  };
}

function findRole(ctx: EmulatorContext, arn: string): Role | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  const [, owner, name, roleId] = m;
  if (name !== undefined) return ctx.state.role('tencent', arn);
  return [...ctx.state.roles.values()].find((r) => r.cloud === 'tencent' && r.accountId === owner && r.roleId === roleId);
}

function assumeRole(ctx: EmulatorContext, caller: Caller, body: Record<string, unknown>): EmuResponse {
  const roleArn = required(body, 'RoleArn');
  const sessionName = required(body, 'RoleSessionName');
  const externalId = str(body, 'ExternalId');
  const rawPolicy = str(body, 'Policy');
  if (!ROLE_ARN.test(roleArn)) throw new TcApiError('InvalidParameter.ParamError', 'RoleArn is not a valid CAM role ARN.');
  if (sessionName.length < 2 || sessionName.length > 128 || !NAME.test(sessionName)) throw new TcApiError('InvalidParameter.ParamError', 'RoleSessionName must be 2-128 characters of [\\w+=,.@-].');
  if (externalId !== undefined && (externalId.length < 2 || externalId.length > 128 || !EXTERNAL_ID.test(externalId))) {
    throw new TcApiError('InvalidParameter.ParamError', 'ExternalId must be 2-128 characters of [\\w+=,.@:/-].');
  }
  const duration = int(body, 'DurationSeconds', 7200);
  if (duration < 1 || duration > 43200) throw new TcApiError('InvalidParameter.OverTimeError', 'DurationSeconds must be between 1 and 43200.');
  const policy = sessionPolicy(rawPolicy);
  const record = (outcome: 'ok' | 'denied' | 'error', code?: string): void =>
    ctx.counters.assumeRole({ cloud: 'tencent', roleArn, callerArn: caller.arn, outcome, code, externalId, sessionName, durationSeconds: duration, sessionPolicy: rawPolicy, at: isoSeconds(ctx.clock.now()) });

  const role = findRole(ctx, roleArn);
  if (!role) {
    record('error', 'ResourceNotFound.RoleNotFound');
    throw new TcApiError('ResourceNotFound.RoleNotFound', 'The role does not exist.');
  }
  // CAM wants both: the role's trust policy names the caller, and the caller may call sts:AssumeRole.
  const decision = authorize(caller, ctx.clock.now(), { action: 'sts:AssumeRole', resource: role.arn, context: { 'sts:external_id': externalId }, resourcePolicy: role.trustPolicy, resourceAccount: role.accountId });
  if (!decision.allowed) {
    // The exact code for a trust-policy / ExternalId mismatch is unconfirmed; UnauthorizedOperation is in the SDK's list.
    record('denied', 'UnauthorizedOperation');
    throw new TcApiError('UnauthorizedOperation', `${caller.arn} is not authorized to perform operation (sts:AssumeRole) on resource (${role.arn}).`);
  }
  if (duration > role.maxSessionDurationSeconds) {
    record('error', 'InvalidParameter.OverTimeError');
    throw new TcApiError('InvalidParameter.OverTimeError', `DurationSeconds exceeds the role's maximum session duration (${role.maxSessionDurationSeconds}).`);
  }
  const session = ctx.state.issueSession({
    cloud: 'tencent',
    kind: 'assumed-role',
    accountId: role.accountId,
    durationSeconds: duration,
    roleArn: role.arn,
    sessionName,
    arn: `qcs::sts:${role.accountId}:assumed-role/${role.roleId}/${sessionName}`,
    userId: `${role.roleId}:${sessionName}`,
    sessionPolicy: policy,
    rawSessionPolicy: rawPolicy === undefined ? undefined : decodeURIComponent(rawPolicy),
    externalId,
    tags: {},
    issuedTo: caller.arn,
    chained: caller.type === 'assumed-role',
  });
  record('ok');
  return tcOk(credentials(session));
}

function getCallerIdentity(caller: Caller): EmuResponse {
  const type = caller.type === 'root' ? 'RootAccount' : caller.type === 'assumed-role' ? 'CAMRole' : caller.type === 'federated' ? 'FederatedUser' : 'CAMUser';
  return tcOk({ Arn: caller.arn, AccountId: caller.account.id, UserId: caller.userId, PrincipalId: caller.type === 'assumed-role' ? caller.account.id : caller.userId, Type: type });
}

function getFederationToken(ctx: EmulatorContext, caller: Caller, body: Record<string, unknown>): EmuResponse {
  if (caller.session) throw new TcApiError('UnauthorizedOperation', 'GetFederationToken needs long-term keys.');
  const name = required(body, 'Name');
  const policy = sessionPolicy(required(body, 'Policy'));
  const duration = int(body, 'DurationSeconds', 1800);
  if (duration < 1 || duration > 7200) throw new TcApiError('InvalidParameter.OverTimeError', 'DurationSeconds must be between 1 and 7200.');
  const decision = authorize(caller, ctx.clock.now(), { action: 'sts:GetFederationToken', resource: '*' });
  if (!decision.allowed) throw new TcApiError('UnauthorizedOperation', `${caller.arn} is not authorized to perform operation (sts:GetFederationToken).`);
  const session = ctx.state.issueSession({
    cloud: 'tencent',
    kind: 'federated',
    accountId: caller.account.id,
    durationSeconds: duration,
    userArn: caller.arn,
    sessionName: name,
    arn: `qcs::sts:${caller.account.id}:federated-user/${caller.userId}/${name}`,
    userId: `${caller.userId}:${name}`,
    sessionPolicy: policy,
    rawSessionPolicy: decodeURIComponent(String(body['Policy'])),
    tags: {},
    issuedTo: caller.arn,
    chained: false,
  });
  return tcOk(credentials(session));
}

/** Tencent STS 2018-08-13: AssumeRole, GetCallerIdentity, GetFederationToken. */
export async function handleTencentSts(ctx: EmulatorContext, caller: Caller, action: string, body: Record<string, unknown>): Promise<EmuResponse> {
  switch (action) {
    case 'AssumeRole':
      return assumeRole(ctx, caller, body);
    case 'GetCallerIdentity':
      return getCallerIdentity(caller);
    default:
      return getFederationToken(ctx, caller, body);
  }
}
