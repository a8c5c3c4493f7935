import type { EmulatorContext } from '../core/context';
import { admitInvocation, BadEventError, checkEvent, runFunction, tail } from '../core/functions';
import type { EmuResponse } from '../core/http';
import { ids } from '../core/ids';
import type { Caller, FunctionDef } from '../core/state';
import { TcApiError, tcOk } from './response';
import { createFunction, deleteFunction, publishVersion, SCF_DEPLOY_ACTIONS, updateFunctionCode, updateFunctionConfiguration } from './scf-deploy';
import { checkCam, findScfFunction, functionJson, listedFunctionJson, scfResource as resource, scfStatus, str } from './scf-model';

export const SCF_ACTIONS = new Set(['Invoke', 'InvokeFunction', 'GetFunction', 'ListFunctions', ...SCF_DEPLOY_ACTIONS]);

const SYNC_LIMIT = 6 * 1024 * 1024;
const ASYNC_LIMIT = 128 * 1024;

const check = checkCam;

function lookup(ctx: EmulatorContext, caller: Caller, region: string, namespace: string, name: string, qualifier: string): FunctionDef {
  const def = findScfFunction(ctx, caller, region, namespace, name);
  if (qualifier !== '$LATEST' && qualifier !== '$DEFAULT' && !def.versions.includes(qualifier) && def.aliases[qualifier] === undefined) {
    throw new TcApiError('ResourceNotFound.Version', `The version or alias ${qualifier} of function ${name} does not exist.`);
  }
  return def;
}

/**
 * Invoke (ClientContext: the event as a JSON string; sync or Event) and the sync-only
 * InvokeFunction (Event instead of ClientContext). Function errors are still a success response,
 * with ErrMsg set and InvokeResult non-zero.
 */
async function invoke(ctx: EmulatorContext, caller: Caller, action: string, body: Record<string, unknown>, region: string): Promise<EmuResponse> {
  const name = str(body, 'FunctionName');
  if (!name) throw new TcApiError('MissingParameter', 'The request is missing a required parameter `FunctionName`.');
  const namespace = str(body, 'Namespace') ?? 'default';
  const qualifier = str(body, 'Qualifier') ?? (action === 'Invoke' ? '$LATEST' : '$DEFAULT');
  const async = action === 'Invoke' && str(body, 'InvocationType') === 'Event';
  const eventText = (action === 'Invoke' ? str(body, 'ClientContext') : str(body, 'Event')) ?? '{}';
  const limit = async ? ASYNC_LIMIT : SYNC_LIMIT;
  const field = action === 'Invoke' ? 'ClientContext' : 'Event';
  if (Buffer.byteLength(eventText) > limit) throw new TcApiError(`InvalidParameterValue.${field}`, `${field} exceeds ${limit} bytes.`);
  try {
    JSON.parse(eventText);
  } catch {
    throw new TcApiError(`InvalidParameterValue.${field}`, `${field} must be a JSON string.`);
  }
  check(ctx, caller, 'scf:InvokeFunction', resource(region, caller.account.id, namespace, name));
  const def = lookup(ctx, caller, region, namespace, name, qualifier);
  // A function still being created (or whose creation failed) has no code to run yet.
  const status = scfStatus(def);
  if (status === 'Creating' || status === 'CreateFailed') throw new TcApiError('FailedOperation.FunctionStatusError', `The function ${name} is ${status}; it cannot be invoked until it is Active.`);
  const event = Buffer.from(eventText);
  try {
    checkEvent(def, event);
  } catch (error) {
    if (error instanceof BadEventError) throw new TcApiError(`InvalidParameterValue.${field}`, error.message);
    throw error;
  }
  // The exact SCF code for concurrency throttling is unconfirmed; RequestLimitExceeded is the common one.
  if (!admitInvocation(def)) throw new TcApiError('RequestLimitExceeded', 'The number of requests exceeds the frequency limit.');
  ctx.counters.invocation(`tencent:${def.accountId}:${def.region}:${def.namespace}/${def.name}`);
  const requestId = ids.requestId();
  if (async) {
    void runFunction(def, event, requestId).catch(() => undefined);
    return tcOk({ Result: { RetMsg: '', ErrMsg: '', Log: '', MemUsage: 0, Duration: 0, BillDuration: 0, FunctionRequestId: requestId, InvokeResult: 0 } });
  }
  const result = await runFunction(def, event, requestId);
  const wantLog = action === 'InvokeFunction' || str(body, 'LogType') === 'Tail';
  const log = wantLog ? tail(`START RequestId: ${requestId}\n${result.log}END RequestId: ${requestId}\n`) : '';
  const duration = Math.max(0.001, result.durationMs);
  const base = { Log: log, MemUsage: 3207168, Duration: duration, BillDuration: Math.max(1, Math.ceil(duration)), FunctionRequestId: requestId };
  if (result.kind === 'error') {
    const errMsg = JSON.stringify({ errorCode: -1, errorMessage: result.errorMessage, errorType: result.errorType, stackTrace: result.payload.toString('utf8'), statusCode: 430 });
    return tcOk({ Result: { ...base, RetMsg: '', ErrMsg: errMsg, InvokeResult: -1 } });
  }
  return tcOk({ Result: { ...base, RetMsg: result.payload.toString('utf8'), ErrMsg: '', InvokeResult: 0 } });
}

/** Tencent SCF 2018-04-16: Invoke, InvokeFunction, GetFunction, ListFunctions and the deployment actions of scf-deploy.ts. */
export async function handleScf(ctx: EmulatorContext, caller: Caller, action: string, body: Record<string, unknown>, region: string | undefined): Promise<EmuResponse> {
  if (!region) throw new TcApiError('MissingParameter', 'The request is missing a required parameter `Region`.');
  switch (action) {
    case 'Invoke':
    case 'InvokeFunction':
      return invoke(ctx, caller, action, body, region);
    case 'GetFunction': {
      const name = str(body, 'FunctionName');
      if (!name) throw new TcApiError('MissingParameter', 'The request is missing a required parameter `FunctionName`.');
      const namespace = str(body, 'Namespace') ?? 'default';
      check(ctx, caller, 'scf:GetFunction', resource(region, caller.account.id, namespace, name));
      const qualifier = str(body, 'Qualifier') ?? '$LATEST';
      const def = lookup(ctx, caller, region, namespace, name, qualifier);
      return tcOk(functionJson(def, qualifier));
    }
    case 'CreateFunction':
      return createFunction(ctx, caller, body, region);
    case 'UpdateFunctionCode':
      return updateFunctionCode(ctx, caller, body, region);
    case 'UpdateFunctionConfiguration':
      return updateFunctionConfiguration(ctx, caller, body, region);
    case 'PublishVersion':
      return publishVersion(ctx, caller, body, region);
    case 'DeleteFunction':
      return deleteFunction(ctx, caller, body, region);
    default: {
      const namespace = str(body, 'Namespace') ?? 'default';
      check(ctx, caller, 'scf:ListFunctions', resource(region, caller.account.id, namespace, '*'));
      const search = str(body, 'SearchKey') ?? '';
      const all = ctx.state.listFunctions('tencent', caller.account.id, (f) => f.region === region && f.namespace === namespace && f.name.includes(search));
      const offset = Number(body['Offset'] ?? 0);
      const limit = Number(body['Limit'] ?? 20);
      if (!Number.isInteger(offset) || offset < 0) throw new TcApiError('InvalidParameterValue.Offset', 'Offset must be a non-negative integer.');
      if (!Number.isInteger(limit) || limit < 0 || limit > 100) throw new TcApiError('InvalidParameterValue.Limit', 'Limit must be an integer between 0 and 100.');
      return tcOk({ Functions: all.slice(offset, offset + limit).map(listedFunctionJson), TotalCount: all.length });
    }
  }
}
