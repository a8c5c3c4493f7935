import { type EmulatorContext, injectFault } from '../core/context';
import { admitInvocation, BadEventError, checkEvent, runFunction, tail } from '../core/functions';
import { type EmuRequest, type EmuResponse, header, json, queryParam } from '../core/http';
import { ids } from '../core/ids';
import type { Caller, FunctionDef } from '../core/state';
import { awsErrorResponse, authError } from './errors';
import { check, configuration, fail, findFunction, LambdaError, resolveTarget, settle, type Target } from './lambda-core';
import { behaviourOfVersion, createFunction, deleteFunction, getFunctionConfiguration, publishVersion, refuseInvokeUnlessReady, updateFunctionCode, updateFunctionConfiguration } from './lambda-deploy';
import { isAuthFailure, verifySigV4 } from './sigv4';

export { accessDeniedMessage } from './lambda-core';

const SYNC_LIMIT = 6 * 1024 * 1024;
const ASYNC_LIMIT = 1024 * 1024; // 1 MB since October 2025 (was 256 KB)

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
  refuseInvokeUnlessReady(def);
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
  // A published version runs the code it was published with; $LATEST the newest deployed package.
  const running: FunctionDef = { ...def, behaviour: behaviourOfVersion(def, version) };
  if (type === 'Event') {
    // Queued: the caller gets 202 at once and never sees the outcome.
    void runFunction(running, req.body, requestId).catch(() => undefined);
    return { status: 202, headers: common, body: '' };
  }
  const result = await runFunction(running, req.body, requestId);
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
    Code: { RepositoryType: 'S3', Location: `https://awslambda-${def.region}-tasks.s3.${def.region}.amazonaws.com/snapshots/${def.accountId}/${def.name}-${ids.hex(32)}` },
    Tags: {},
  });
}

function listFunctions(ctx: EmulatorContext, req: EmuRequest, caller: Caller, region: string): EmuResponse {
  check(ctx, caller, 'lambda:ListFunctions', '*', region);
  const all = ctx.state.listFunctions('aws', caller.account.id, (f) => f.region === region);
  const rawMax = queryParam(req, 'MaxItems');
  const maxItems = rawMax === undefined ? 50 : Number(rawMax);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10000) {
    throw fail(400, 'ValidationException', `1 validation error detected: Value '${rawMax}' at 'maxItems' failed to satisfy constraint: Member must have value ${maxItems < 1 ? 'greater than or equal to 1' : 'less than or equal to 10000'}`);
  }
  // The marker is opaque to clients: the name the next page starts after.
  const marker = queryParam(req, 'Marker');
  const after = marker === undefined ? undefined : Buffer.from(marker, 'base64url').toString('utf8');
  const rest = after === undefined ? all : all.filter((f) => f.name.localeCompare(after) > 0);
  const page = rest.slice(0, maxItems);
  const next = rest.length > maxItems ? Buffer.from(page.at(-1)!.name).toString('base64url') : undefined;
  for (const f of page) settle(f);
  return json(200, { Functions: page.map((f) => configuration(f, caller.account.partition)), ...(next ? { NextMarker: next } : {}) });
}

type Action = 'Invoke' | 'GetFunction' | 'GetFunctionConfiguration' | 'ListFunctions' | 'CreateFunction' | 'UpdateFunctionCode' | 'UpdateFunctionConfiguration' | 'PublishVersion' | 'DeleteFunction';

interface Route {
  action: Action;
  functionName?: string;
}

/** `<method> <sub-resource>` of /2015-03-31/functions/{name}/<sub-resource>, as @aws-sdk/client-lambda's model writes them. */
const FUNCTION_ROUTES: Record<string, Action> = {
  'POST invocations': 'Invoke',
  'GET ': 'GetFunction',
  'DELETE ': 'DeleteFunction',
  'GET configuration': 'GetFunctionConfiguration',
  'PUT configuration': 'UpdateFunctionConfiguration',
  'PUT code': 'UpdateFunctionCode',
  'POST versions': 'PublishVersion',
};

function route(req: EmuRequest): Route | undefined {
  const m = /^\/2015-03-31\/functions(?:\/([^/]+)(?:\/([a-z]+))?)?\/?$/.exec(req.rawPath);
  if (!m) return undefined;
  if (m[1] === undefined) return req.method === 'GET' ? { action: 'ListFunctions' } : req.method === 'POST' ? { action: 'CreateFunction' } : undefined;
  const action = FUNCTION_ROUTES[`${req.method} ${m[2] ?? ''}`];
  return action ? { action, functionName: decodeURIComponent(m[1]) } : undefined;
}

async function serve(ctx: EmulatorContext, req: EmuRequest, caller: Caller, region: string, r: Route): Promise<EmuResponse> {
  if (r.action === 'ListFunctions') return listFunctions(ctx, req, caller, region);
  if (r.action === 'CreateFunction') return createFunction(ctx, req, caller, region);
  const target = resolveTarget(caller, region, r.functionName!, queryParam(req, 'Qualifier'));
  switch (r.action) {
    case 'Invoke':
      return invoke(ctx, req, caller, target);
    case 'GetFunction':
      return getFunction(ctx, caller, target);
    case 'GetFunctionConfiguration':
      return getFunctionConfiguration(ctx, caller, target);
    case 'UpdateFunctionCode':
      return updateFunctionCode(ctx, req, caller, target);
    case 'UpdateFunctionConfiguration':
      return updateFunctionConfiguration(ctx, req, caller, target);
    case 'PublishVersion':
      return publishVersion(ctx, req, caller, target);
    case 'DeleteFunction':
      return deleteFunction(ctx, caller, target);
  }
}

/** AWS Lambda (REST-JSON): Invoke, the function reads and listing, and the deployment calls (lambda-deploy.ts). */
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
    return await serve(ctx, req, auth.caller, auth.scope.region, r);
  } catch (error) {
    if (error instanceof LambdaError) return awsErrorResponse('rest-json', error.error);
    throw error;
  }
}
