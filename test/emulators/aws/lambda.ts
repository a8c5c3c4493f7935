import { authorize } from '../core/authz';
import { type EmulatorContext, injectFault } from '../core/context';
import { admitInvocation, BadEventError, checkEvent, runFunction, tail } from '../core/functions';
import { type EmuRequest, type EmuResponse, header, json, queryParam } from '../core/http';
import { ids } from '../core/ids';
import type { Decision } from '../core/policy';
import type { Caller, FunctionDef } from '../core/state';
import { type AwsError, awsErrorResponse, authError } from './errors';
import { isAuthFailure, verifySigV4 } from './sigv4';

const SYNC_LIMIT = 6 * 1024 * 1024;
const ASYNC_LIMIT = 1024 * 1024; // 1 MB since October 2025 (was 256 KB)
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/;

class LambdaError extends Error {
  constructor(readonly error: AwsError) {
    super(error.message);
  }
}

const fail = (status: number, code: string, message: string, extra: Partial<AwsError> = {}): LambdaError => new LambdaError({ status, code, message, ...extra });

/** Lambda's wording for a refusal names the policy type that failed to allow (or denied). */
export function accessDeniedMessage(caller: Caller, action: string, resource: string, decision: Decision): string {
  const base = `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource}`;
  const kind = decision.failed === 'session' ? 'session policy' : decision.failed === 'resource' ? 'resource-based policy' : 'identity-based policy';
  return decision.reason === 'explicit-deny' ? `${base} with an explicit deny in a ${kind}` : `${base} because no ${kind} allows the ${action} action`;
}

interface Target {
  accountId: string;
  region: string;
  name: string;
  qualifier?: string;
  arn: string;
}

/** FunctionName may be a name, `name:qualifier`, `account:function:name`, or a full ARN. */
function resolveTarget(caller: Caller, scopeRegion: string, rawName: string, qualifierParam: string | undefined): Target {
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
  const unqualified = `arn:${caller.account.partition}:lambda:${region}:${accountId}:function:${name}`;
  return { accountId, region, name, qualifier, arn: qualifier === undefined ? unqualified : `${unqualified}:${qualifier}` };
}

function check(ctx: EmulatorContext, caller: Caller, action: string, resource: string, region: string, resourceAccount?: string): void {
  // Function resource policies are not modelled: another account's function is always refused.
  // aws:RequestedRegion is the region the request was signed for; policies use it to hold account-wide actions to a region.
  const decision = authorize(caller, ctx.clock.now(), { action, resource, resourceAccount, context: { 'aws:RequestedRegion': region } });
  if (!decision.allowed) throw fail(403, 'AccessDeniedException', accessDeniedMessage(caller, action, resource, decision));
}

function findFunction(ctx: EmulatorContext, target: Target): { def: FunctionDef; version: string } {
  const def = ctx.state.findFunction('aws', target.accountId, target.region, '', target.name);
  const notFound = fail(404, 'ResourceNotFoundException', `Function not found: ${target.arn}`);
  if (!def) throw notFound;
  const q = target.qualifier;
  if (q === undefined || q === '$LATEST') return { def, version: '$LATEST' };
  if (def.versions.includes(q)) return { def, version: q };
  const aliased = def.aliases[q];
  if (aliased !== undefined) return { def, version: aliased };
  throw notFound;
}

function configuration(def: FunctionDef, partition: string, version = '$LATEST'): Record<string, unknown> {
  const arn = `arn:${partition}:lambda:${def.region}:${def.accountId}:function:${def.name}`;
  return {
    FunctionName: def.name,
    FunctionArn: version === '$LATEST' ? arn : `${arn}:${version}`,
    Runtime: def.runtime,
    Role: `arn:${partition}:iam::${def.accountId}:role/${def.name}-execution`,
    Handler: def.handler,
    CodeSize: 1024,
    Description: `emulated ${def.behaviour.type} function`,
    Timeout: def.timeoutSeconds,
    MemorySize: def.memoryMb,
    LastModified: def.createdAt.toISOString().replace('Z', '+0000'),
    CodeSha256: Buffer.from(`${def.name}:${def.behaviour.type}`).toString('base64'),
    Version: version,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
  };
}

function lambdaLog(requestId: string, version: string, def: FunctionDef, body: string, durationMs: number): string {
  return (
    `START RequestId: ${requestId} Version: ${version}\n${body}END RequestId: ${requestId}\n` +
    `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms\tMemory Size: ${def.memoryMb} MB\tMax Memory Used: ${Math.min(def.memoryMb, 64)} MB\t\n`
  );
}

async function invoke(ctx: EmulatorContext, req: EmuRequest, caller: Caller, target: Target): Promise<EmuResponse> {
  const type = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) throw fail(400, 'InvalidParameterValueException', `Unsupported invocation type ${type}`);
  const limit = type === 'Event' ? ASYNC_LIMIT : SYNC_LIMIT;
  if (req.body.length > limit) {
    throw fail(413, 'RequestTooLargeException', `Request must be smaller than ${limit} bytes for the ${type === 'Event' ? 'InvokeAsync' : 'InvokeFunction'} operation`);
  }
  check(ctx, caller, 'lambda:InvokeFunction', target.arn, target.region, target.accountId);
  const { def, version } = findFunction(ctx, target);
  if (req.body.length > 0) {
    try {
      JSON.parse(req.body.toString('utf8'));
    } catch (error) {
      throw fail(400, 'InvalidRequestContentException', `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`);
    }
  }
  const requestId = ids.requestId();
  const common = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': version };
  if (type === 'DryRun') return { status: 204, headers: common, body: '' };
  try {
    checkEvent(def, req.body);
  } catch (error) {
    if (error instanceof BadEventError) throw fail(400, 'InvalidRequestContentException', error.message);
    throw error;
  }
  if (!admitInvocation(def)) {
    throw fail(429, 'TooManyRequestsException', 'Rate Exceeded.', { headers: { 'retry-after': '1' }, fields: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' } });
  }
  ctx.counters.invocation(`aws:${def.accountId}:${def.region}:${def.name}`);
  if (type === 'Event') {
    // Queued: the caller gets 202 at once and never sees the outcome.
    void runFunction(def, req.body, requestId).catch(() => undefined);
    return { status: 202, headers: common, body: '' };
  }
  const result = await runFunction(def, req.body, requestId);
  const headers: Record<string, string> = { ...common, 'content-type': 'application/json' };
  if ((header(req, 'x-amz-log-type') ?? 'None') === 'Tail') {
    headers['x-amz-log-result'] = Buffer.from(tail(lambdaLog(requestId, version, def, result.log, result.durationMs))).toString('base64');
  }
  // A failing function is still a 200: the error travels in the payload and X-Amz-Function-Error.
  if (result.kind === 'error') headers['x-amz-function-error'] = 'Unhandled';
  return { status: 200, headers, body: result.payload };
}

function getFunction(ctx: EmulatorContext, caller: Caller, target: Target): EmuResponse {
  check(ctx, caller, 'lambda:GetFunction', target.arn, target.region, target.accountId);
  const { def, version } = findFunction(ctx, target);
  return json(200, {
    Configuration: configuration(def, caller.account.partition, version),
    Code: { RepositoryType: 'S3', Location: `https://awslambda-${def.region}-tasks.s3.${def.region}.amazonaws.com/snapshots/${def.accountId}/${def.name}` },
    Tags: {},
  });
}

function listFunctions(ctx: EmulatorContext, req: EmuRequest, caller: Caller, region: string): EmuResponse {
  check(ctx, caller, 'lambda:ListFunctions', '*', region);
  const all = ctx.state.listFunctions('aws', caller.account.id, (f) => f.region === region);
  const maxItems = Math.min(Number(queryParam(req, 'MaxItems') ?? 50) || 50, 10000);
  const start = Number(queryParam(req, 'Marker') ?? 0) || 0;
  const page = all.slice(start, start + maxItems);
  const next = start + maxItems < all.length ? String(start + maxItems) : undefined;
  return json(200, { Functions: page.map((f) => configuration(f, caller.account.partition)), ...(next ? { NextMarker: next } : {}) });
}

interface Route {
  action: 'Invoke' | 'GetFunction' | 'ListFunctions';
  functionName?: string;
}

function route(req: EmuRequest): Route | undefined {
  const m = /^\/2015-03-31\/functions(?:\/([^/]+))?(\/invocations)?\/?$/.exec(req.rawPath);
  if (!m) return undefined;
  const functionName = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  if (m[2] && req.method === 'POST' && functionName) return { action: 'Invoke', functionName };
  if (!m[2] && req.method === 'GET' && functionName) return { action: 'GetFunction', functionName };
  if (!m[2] && req.method === 'GET' && !functionName) return { action: 'ListFunctions' };
  return undefined;
}

/** AWS Lambda (REST-JSON): Invoke, GetFunction, ListFunctions. */
export async function handleLambda(req: EmuRequest, ctx: EmulatorContext): Promise<EmuResponse> {
  const r = route(req);
  ctx.counters.call('aws', 'lambda', r?.action ?? 'unknown');
  const auth = verifySigV4(req, ctx, { skewMinutes: 5, allowUnsignedPayload: false });
  if (isAuthFailure(auth)) return awsErrorResponse('rest-json', authError('rest-json', auth));
  try {
    if (!r) throw fail(404, 'UnknownOperationException', `Unknown operation ${req.method} ${req.rawPath}`);
    const fault = await injectFault(ctx, 'aws', 'lambda', r.action);
    if (fault) {
      throw fail(fault.status ?? 429, fault.code!, fault.message ?? 'Rate Exceeded.', fault.code === 'TooManyRequestsException' ? { headers: { 'retry-after': '1' }, fields: { Reason: 'CallerRateLimitExceeded' } } : {});
    }
    const caller = auth.caller;
    if (r.action === 'ListFunctions') return listFunctions(ctx, req, caller, auth.scope.region);
    const target = resolveTarget(caller, auth.scope.region, r.functionName!, queryParam(req, 'Qualifier'));
    return r.action === 'Invoke' ? await invoke(ctx, req, caller, target) : getFunction(ctx, caller, target);
  } catch (error) {
    if (error instanceof LambdaError) return awsErrorResponse('rest-json', error.error);
    throw error;
  }
}
