import { authorize } from '../core/authz';
import type { EmulatorContext } from '../core/context';
import { ids } from '../core/ids';
import { type Caller, currentLifecycle, type FunctionDef } from '../core/state';
import { TcApiError } from './response';

/** SCF's words for a function's state (GetFunction `Status`). */
export type ScfStatus = 'Creating' | 'CreateFailed' | 'Active' | 'Updating' | 'UpdateFailed';

/**
 * Which change a pending or failed function is in. The shared lifecycle says only pending or
 * failed; SCF tells creation and update apart, so the emulator remembers which one it started.
 */
const changeOf = new WeakMap<FunctionDef, 'create' | 'update'>();

export function markChange(def: FunctionDef, change: 'create' | 'update'): void {
  changeOf.set(def, change);
}

export function scfStatus(def: FunctionDef): ScfStatus {
  const lifecycle = currentLifecycle(def);
  if (lifecycle === 'active') return 'Active';
  const change = changeOf.get(def) ?? 'create';
  if (lifecycle === 'pending') return change === 'create' ? 'Creating' : 'Updating';
  return change === 'create' ? 'CreateFailed' : 'UpdateFailed';
}

export function str(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  return v === undefined || v === null ? undefined : String(v);
}

export function required(body: Record<string, unknown>, name: string): string {
  const v = str(body, name);
  if (v === undefined || v === '') throw new TcApiError('MissingParameter', `The request is missing a required parameter \`${name}\`.`);
  return v;
}

/** CAM resource of an SCF function. */
export function scfResource(region: string, owner: string, namespace: string, fn: string): string {
  return `qcs::scf:${region}:uin/${owner}:namespace/${namespace}/function/${fn}`;
}

/** Refuses with SCF's `UnauthorizedOperation.CAM`, naming the action and resource as SCF does. */
export function checkCam(ctx: EmulatorContext, caller: Caller, action: string, res: string, resourceAccount?: string): void {
  const decision = authorize(caller, ctx.clock.now(), { action, resource: res, ...(resourceAccount ? { resourceAccount } : {}) });
  if (!decision.allowed) {
    throw new TcApiError('UnauthorizedOperation.CAM', `[request id:${ids.requestId()}]you are not authorized to perform operation (${action})\nresource (${res}) has no permission\n`);
  }
}

export function findScfFunction(ctx: EmulatorContext, caller: Caller, region: string, namespace: string, name: string): FunctionDef {
  const def = ctx.state.findFunction('tencent', caller.account.id, region, namespace, name);
  if (!def) throw new TcApiError('ResourceNotFound.Function', `The function ${name} was not found in namespace ${namespace}. Please create it and try again.`);
  return def;
}

/** `YYYY-MM-DD hh:mm:ss`, the way SCF writes AddTime and ModTime. */
function scfTime(at: Date): string {
  return at.toISOString().replace('T', ' ').slice(0, 19);
}

/** The role name SCF reports for a bound execution role (it names roles, not ARNs). */
function roleName(def: FunctionDef): string {
  return def.roleArn?.replace(/^.*:roleName\//, '') ?? '';
}

/** ListFunctions' `Function` entries: no handler, memory or timeout (GetFunction has those). */
export function listedFunctionJson(f: FunctionDef): Record<string, unknown> {
  const status = scfStatus(f);
  return {
    FunctionName: f.name,
    FunctionId: `lam-${f.name}`,
    Namespace: f.namespace,
    Runtime: f.runtime,
    Status: status,
    StatusDesc: f.stateReason ?? '',
    Description: f.description ?? `emulated ${f.behaviour.type} function`,
    Type: 'Event',
    AddTime: scfTime(f.createdAt),
    ModTime: scfTime(f.lastModified),
  };
}

/** GetFunction's answer. Like SCF it returns environment values; Tether must only keep their names. */
export function functionJson(f: FunctionDef, version = '$LATEST'): Record<string, unknown> {
  const status = scfStatus(f);
  return {
    ...listedFunctionJson(f),
    Handler: f.handler,
    MemorySize: f.memoryMb,
    Timeout: f.timeoutSeconds,
    FunctionVersion: version,
    CodeSize: f.code?.size ?? 1024,
    CodeResult: status === 'CreateFailed' || status === 'UpdateFailed' ? 'failed' : 'success',
    CodeError: status === 'CreateFailed' || status === 'UpdateFailed' ? (f.stateReason ?? '') : '',
    Environment: { Variables: Object.entries(f.environment).map(([Key, Value]) => ({ Key, Value })) },
    Role: roleName(f),
    InstallDependency: 'FALSE',
  };
}
