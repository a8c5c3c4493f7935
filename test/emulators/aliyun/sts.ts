import { authorize } from '../core/authz';
import { isoSeconds } from '../core/clock';
import { type EmulatorContext, injectFault } from '../core/context';
import { type EmuRequest, type EmuResponse, header, json, parseQueryString } from '../core/http';
import { ids } from '../core/ids';
import { parsePolicy, type Policy, PolicyParseError } from '../core/policy';
import type { Caller } from '../core/state';
import { isAcsFailure, verifyAcs3 } from './acs3';
import { type AcsError, popAuthError, popErrorResponse } from './errors';

const ROLE_ARN = /^acs:ram::(\d+):role\/([A-Za-z0-9.-]{1,64})$/i;
const SESSION_NAME = /^[\w.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const NO_PERMISSION = 'You are not authorized to do this action. You should be authorized by RAM.';

class AliyunStsError extends Error {
  constructor(readonly error: AcsError) {
    super(error.message);
  }
}

const err = (status: number, code: string, message: string): AliyunStsError => new AliyunStsError({ status, code, message });

function assumeRole(ctx: EmulatorContext, caller: Caller, params: Map<string, string>): EmuResponse {
  const roleArn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  const externalId = params.get('ExternalId');
  const rawPolicy = params.get('Policy');
  const sourceIdentity = params.get('SourceIdentity');
  if (roleArn === undefined) throw err(400, 'MissingRoleArn', 'RoleArn is mandatory for this action.');
  if (sessionName === undefined) throw err(400, 'MissingRoleSessionName', 'RoleSessionName is mandatory for this action.');
  const arnMatch = ROLE_ARN.exec(roleArn);
  if (!arnMatch) throw err(400, 'InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed.');
  if (!SESSION_NAME.test(sessionName)) throw err(400, 'InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.');
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) throw err(400, 'InvalidParameter.ExternalId', 'The parameter ExternalId is wrongly formed.');
  const rawDuration = params.get('DurationSeconds');
  const duration = rawDuration === undefined ? 3600 : Number(rawDuration);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) throw err(400, 'InvalidParameter.DurationSeconds', 'The Min/Max value of DurationSeconds is 15min/12hr.');
  let policy: Policy | undefined;
  if (rawPolicy !== undefined) {
    try {
      if (rawPolicy.length < 1 || rawPolicy.length > 2048) throw new PolicyParseError('size');
      policy = parsePolicy(rawPolicy, 'aliyun');
    } catch (error) {
      if (error instanceof PolicyParseError) throw err(400, 'InvalidParameter.PolicyGrammar', 'The parameter Policy has not passed grammar check.');
      throw error;
    }
  }
  const record = (outcome: 'ok' | 'denied' | 'error', code?: string): void =>
    ctx.counters.assumeRole({ cloud: 'aliyun', roleArn, callerArn: caller.arn, outcome, code, externalId, sessionName, durationSeconds: duration, sessionPolicy: rawPolicy, at: isoSeconds(ctx.clock.now()) });

  if (caller.type === 'root') {
    record('denied', 'NoPermission');
    throw err(403, 'NoPermission', 'Roles may not be assumed by root accounts.');
  }
  const role = ctx.state.role('aliyun', roleArn);
  if (!role) {
    record('error', 'EntityNotExist.Role');
    throw err(404, 'EntityNotExist.Role', `The specified Role not exists: ${roleArn}`);
  }
  // RAM wants both: the role's trust policy names the caller, and the caller holds sts:AssumeRole.
  const decision = authorize(caller, ctx.clock.now(), { action: 'sts:AssumeRole', resource: role.arn, context: { 'sts:ExternalId': externalId }, resourcePolicy: role.trustPolicy, resourceAccount: role.accountId });
  if (!decision.allowed) {
    record('denied', 'NoPermission');
    throw err(403, 'NoPermission', NO_PERMISSION);
  }
  const maxDuration = caller.type === 'assumed-role' ? Math.min(3600, role.maxSessionDurationSeconds) : role.maxSessionDurationSeconds;
  if (duration > maxDuration) {
    record('error', 'InvalidParameter.DurationSeconds');
    throw err(400, 'InvalidParameter.DurationSeconds', `The Min/Max value of DurationSeconds is 15min/${maxDuration / 3600}hr.`);
  }
  const session = ctx.state.issueSession({
    cloud: 'aliyun',
    kind: 'assumed-role',
    accountId: role.accountId,
    durationSeconds: duration,
    roleArn: role.arn,
    sessionName,
    arn: `acs:ram::${role.accountId}:assumed-role/${role.name.toLowerCase()}/${sessionName}`,
    userId: `${role.roleId}:${sessionName}`,
    sessionPolicy: policy,
    rawSessionPolicy: rawPolicy,
    externalId,
    sourceIdentity: caller.session?.sourceIdentity ?? sourceIdentity,
    tags: {},
    issuedTo: caller.arn,
    chained: caller.type === 'assumed-role',
  });
  record('ok');
  return json(200, {
    RequestId: ids.requestId().toUpperCase(),
    AssumedRoleUser: { AssumedRoleId: session.userId, Arn: `acs:ram::${role.accountId}:role/${role.name.toLowerCase()}/${sessionName}` },
    Credentials: { AccessKeyId: session.accessKeyId, AccessKeySecret: session.secret, SecurityToken: session.token, Expiration: isoSeconds(session.expiresAt) },
    ...(session.sourceIdentity ? { SourceIdentity: session.sourceIdentity } : {}),
  });
}

function getCallerIdentity(caller: Caller): EmuResponse {
  const identityType = caller.type === 'root' ? 'Account' : caller.type === 'assumed-role' ? 'AssumedRoleUser' : 'RAMUser';
  return json(200, {
    RequestId: ids.requestId().toUpperCase(),
    AccountId: caller.account.id,
    UserId: caller.userId,
    Arn: caller.arn,
    IdentityType: identityType,
    PrincipalId: caller.userId,
    ...(caller.role ? { RoleId: caller.role.roleId } : {}),
  });
}

/** Aliyun STS (RPC, ACS3-signed; parameters in the query, empty body): AssumeRole, GetCallerIdentity. */
export async function handleAliyunSts(req: EmuRequest, ctx: EmulatorContext): Promise<EmuResponse> {
  const params = new Map(req.query);
  if ((header(req, 'content-type') ?? '').includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of parseQueryString(req.body.toString('utf8'))) params.set(k, v);
  }
  const action = header(req, 'x-acs-action') ?? params.get('Action') ?? '';
  ctx.counters.call('aliyun', 'sts', action || 'unknown');
  const auth = verifyAcs3(req, ctx);
  if (isAcsFailure(auth)) return popErrorResponse(popAuthError(auth));
  try {
    const fault = await injectFault(ctx, 'aliyun', 'sts', action);
    if (fault) throw err(fault.status ?? 400, fault.code!, fault.message ?? 'Request was denied due to user flow control.');
    switch (action) {
      case 'AssumeRole':
        return assumeRole(ctx, auth.caller, params);
      case 'GetCallerIdentity':
        return getCallerIdentity(auth.caller);
      default:
        throw err(404, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method.`);
    }
  } catch (error) {
    if (error instanceof AliyunStsError) return popErrorResponse(error.error);
    throw error;
  }
}
