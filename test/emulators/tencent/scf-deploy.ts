import type { EmulatorContext } from '../core/context';
import type { EmuResponse } from '../core/http';
import { BadPackageError, behaviourOfPackage, sha256Hex } from '../core/packages';
import { type Caller, type FunctionBehaviour, type FunctionCode, type FunctionDef, newFunctionDef } from '../core/state';
import { TcApiError, tcOk } from './response';
import { checkCam, findScfFunction, functionJson, markChange, required, scfResource, scfStatus, str } from './scf-model';

export const SCF_DEPLOY_ACTIONS = ['CreateFunction', 'UpdateFunctionCode', 'UpdateFunctionConfiguration', 'PublishVersion', 'DeleteFunction'] as const;

/** The runtimes SCF's CreateFunction documents (tencentcloud-sdk-nodejs scf v20180416), plus newer ones SCF has added. */
const RUNTIMES = new Set([
  'Python2.7', 'Python3.6', 'Python3.7', 'Python3.9', 'Python3.10', 'Python3.11',
  'Nodejs6.10', 'Nodejs8.9', 'Nodejs10.15', 'Nodejs12.16', 'Nodejs14.18', 'Nodejs16.13', 'Nodejs18.15', 'Nodejs20.15',
  'Php5.6', 'Php7', 'Php7.4', 'Php8.0', 'Go1', 'Java8', 'Java11', 'CustomRuntime',
]);

// `file.function` (Go1 names only its binary); SCF's own pattern is undocumented in our reference.
const HANDLER = /^[A-Za-z0-9_][A-Za-z0-9_./-]*\.[A-Za-z0-9_$-]+$/;
const GO_HANDLER = /^[A-Za-z0-9_.-]{1,60}$/;
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$/;
/** Environment variables may hold at most 4 KB in all. */
const ENV_LIMIT = 4096;
const ZIP_LIMIT = 50 * 1024 * 1024;

function int(body: Record<string, unknown>, name: string): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new TcApiError(`InvalidParameterValue.${name}`, `${name} must be an integer.`);
  return n;
}

function checkRuntime(runtime: string): void {
  if (!RUNTIMES.has(runtime)) throw new TcApiError('InvalidParameterValue.Runtime', `Runtime ${runtime} is not supported. Supported runtimes: ${[...RUNTIMES].join(', ')}.`);
}

function checkHandler(handler: string, runtime: string): void {
  const ok = runtime === 'Go1' || runtime === 'CustomRuntime' ? GO_HANDLER.test(handler) : HANDLER.test(handler);
  if (!ok) throw new TcApiError('InvalidParameterValue.Handler', `Handler ${handler} is not valid for ${runtime}: give it as file.function, e.g. index.main_handler.`);
}

/** 64 MB, or 128 MB to 3072 MB in steps of 128 MB. */
function checkMemory(memory: number): void {
  if (memory !== 64 && (memory < 128 || memory > 3072 || memory % 128 !== 0)) {
    throw new TcApiError('InvalidParameterValue.MemorySize', `MemorySize ${memory} is not valid: use 64, or 128 to 3072 in steps of 128 (MB).`);
  }
}

function checkTimeout(timeout: number): void {
  if (timeout < 1 || timeout > 900) throw new TcApiError('InvalidParameterValue.Timeout', `Timeout ${timeout} is not valid: use 1 to 900 seconds.`);
}

function environmentOf(body: Record<string, unknown>): Record<string, string> | undefined {
  const env = body['Environment'] as { Variables?: Array<{ Key?: unknown; Value?: unknown }> } | undefined;
  if (env === undefined || env === null) return undefined;
  if (typeof env !== 'object' || (env.Variables !== undefined && !Array.isArray(env.Variables))) throw new TcApiError('InvalidParameterValue.Environment', 'Environment must be {"Variables": [{"Key", "Value"}]}.');
  const out: Record<string, string> = {};
  for (const v of env.Variables ?? []) {
    if (typeof v?.Key !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.Key)) throw new TcApiError('InvalidParameterValue.Environment', `Environment variable name ${String(v?.Key)} is not valid.`);
    out[v.Key] = v.Value === undefined || v.Value === null ? '' : String(v.Value);
  }
  if (Buffer.byteLength(JSON.stringify(out)) > ENV_LIMIT) throw new TcApiError('InvalidParameterValue.EnvironmentExceededLimit', 'The environment variables exceed 4 KB; keep them within 4 KB.');
  return out;
}

/**
 * SCF names the execution role by name (`Role`), in the function's own account. Binding it needs
 * cam:PassRole on that role, and the role must exist.
 */
function passRole(ctx: EmulatorContext, caller: Caller, role: string): string {
  const arn = role.startsWith('qcs::cam::') ? role : `qcs::cam::uin/${caller.account.id}:roleName/${role}`;
  checkCam(ctx, caller, 'cam:PassRole', arn);
  if (!ctx.state.role('tencent', arn)) throw new TcApiError('InvalidParameterValue.Role', `The role ${role} does not exist in account ${caller.account.id}.`);
  return arn;
}

interface Package {
  zip: Buffer;
  code: FunctionCode;
}

/**
 * The code package: inline (`ZipFile`, base64) or an object of the account's COS bucket
 * (`CosBucketName` without the APPID, `CosObjectName` starting with `/`). SCF fetches it with the
 * caller's authority, so the caller needs cos:GetObject on it.
 */
function readPackage(ctx: EmulatorContext, caller: Caller, code: Record<string, unknown>, region: string): Package | undefined {
  const zipFile = str(code, 'ZipFile');
  if (zipFile !== undefined) {
    const zip = Buffer.from(zipFile, 'base64');
    if (zip.length === 0) throw new TcApiError('InvalidParameterValue.ZipFile', 'ZipFile must be the base64 of a zip file.');
    if (zip.length > ZIP_LIMIT) throw new TcApiError('InvalidParameterValue.ZipFile', 'ZipFile exceeds 50 MB; upload the package to COS instead.');
    return { zip, code: { bucket: '', key: '', size: zip.length, sha256: sha256Hex(zip) } };
  }
  const bucketName = str(code, 'CosBucketName');
  const objectName = str(code, 'CosObjectName');
  if (bucketName === undefined && objectName === undefined) return undefined;
  if (!bucketName || !/^[a-z0-9][a-z0-9-]*$/.test(bucketName)) throw new TcApiError('InvalidParameterValue.CosBucketName', 'CosBucketName is the bucket name without its -APPID suffix.');
  if (!objectName || !objectName.startsWith('/')) throw new TcApiError('InvalidParameterValue.CosObjectName', 'CosObjectName is the object path, starting with /.');
  const cosRegion = str(code, 'CosBucketRegion') || region;
  const appId = caller.account.appId ?? '';
  const fullBucket = `${bucketName}-${appId}`;
  const key = objectName.slice(1);
  checkCam(ctx, caller, 'cos:GetObject', `qcs::cos:${cosRegion}:uid/${appId}:${fullBucket}/${key}`);
  const bucket = ctx.state.bucket('tencent', fullBucket);
  if (!bucket || bucket.region !== cosRegion) throw new TcApiError('ResourceNotFound.Cos', `The COS bucket ${fullBucket} does not exist in ${cosRegion}.`);
  const object = bucket.objects.get(key);
  if (!object) throw new TcApiError('ResourceNotFound.Cos', `The code package ${objectName} does not exist in COS bucket ${fullBucket}.`);
  return { zip: object.body, code: { bucket: fullBucket, key, size: object.body.length, sha256: sha256Hex(object.body) } };
}

/** Puts a function into Creating / Updating; a package that is not a zip fails the change instead (CreateFailed / UpdateFailed). */
function startChange(ctx: EmulatorContext, def: FunctionDef, change: 'create' | 'update', pkg: Package | undefined): void {
  markChange(def, change);
  if (pkg) {
    let behaviour: FunctionBehaviour;
    try {
      behaviour = behaviourOfPackage(pkg.zip);
    } catch (error) {
      if (!(error instanceof BadPackageError)) throw error;
      def.code = pkg.code;
      def.lifecycle = 'failed';
      delete def.readyAt;
      def.stateReason = `The code package could not be deployed: ${error.message}.`;
      return;
    }
    def.behaviour = behaviour;
    def.code = pkg.code;
  }
  def.lifecycle = 'pending';
  def.readyAt = Date.now() + ctx.deployment.pendingMs;
  def.stateReason = change === 'create' ? 'Function is being created.' : 'Function is being updated.';
}

function namespaceOf(body: Record<string, unknown>): string {
  return str(body, 'Namespace') ?? 'default';
}

/** Refuses a change while another one runs, with the code SCF uses for each action. */
function requireSettled(def: FunctionDef, code: string): void {
  const status = scfStatus(def);
  if (status === 'Creating' || status === 'Updating') throw new TcApiError(code, `The function ${def.name} is ${status}; try again when it is Active.`);
}

export function createFunction(ctx: EmulatorContext, caller: Caller, body: Record<string, unknown>, region: string): EmuResponse {
  const name = required(body, 'FunctionName');
  if (!FUNCTION_NAME.test(name)) throw new TcApiError('InvalidParameter.FunctionName', 'FunctionName must be 2-60 letters, digits, _ or -, starting with a letter and ending with a letter or digit.');
  const namespace = namespaceOf(body);
  const runtime = str(body, 'Runtime') ?? 'Python3.6';
  const handler = str(body, 'Handler') ?? 'index.main_handler';
  const memory = int(body, 'MemorySize') ?? 128;
  const timeout = int(body, 'Timeout') ?? 3;
  checkRuntime(runtime);
  checkHandler(handler, runtime);
  checkMemory(memory);
  checkTimeout(timeout);
  const environment = environmentOf(body) ?? {};
  const code = body['Code'];
  if (typeof code !== 'object' || code === null) throw new TcApiError('MissingParameter', 'The request is missing a required parameter `Code`.');
  checkCam(ctx, caller, 'scf:CreateFunction', scfResource(region, caller.account.id, namespace, name));
  if (ctx.state.findFunction('tencent', caller.account.id, region, namespace, name)) {
    throw new TcApiError('ResourceInUse.Function', `The function ${name} already exists in namespace ${namespace}.`);
  }
  const role = str(body, 'Role');
  const roleArn = role ? passRole(ctx, caller, role) : undefined;
  const pkg = readPackage(ctx, caller, code as Record<string, unknown>, region);
  if (!pkg) throw new TcApiError('InvalidParameterValue.Code', 'Code must name a COS object (CosBucketName, CosObjectName) or carry a ZipFile.');
  const now = ctx.clock.now();
  const def = ctx.state.putFunction(
    newFunctionDef(
      {
        cloud: 'tencent',
        accountId: caller.account.id,
        region,
        name,
        namespace,
        service: 'default',
        runtime,
        handler,
        memoryMb: memory,
        timeoutSeconds: timeout,
        lifecycle: 'pending',
        environment,
        ...(roleArn ? { roleArn } : {}),
        ...(str(body, 'Description') !== undefined ? { description: str(body, 'Description') } : {}),
      },
      now,
    ),
  );
  startChange(ctx, def, 'create', pkg);
  return tcOk({});
}

export function updateFunctionCode(ctx: EmulatorContext, caller: Caller, body: Record<string, unknown>, region: string): EmuResponse {
  const name = required(body, 'FunctionName');
  const namespace = namespaceOf(body);
  checkCam(ctx, caller, 'scf:UpdateFunctionCode', scfResource(region, caller.account.id, namespace, name));
  const def = findScfFunction(ctx, caller, region, namespace, name);
  requireSettled(def, 'FailedOperation.UpdateFunctionCode');
  const handler = str(body, 'Handler');
  if (handler !== undefined) checkHandler(handler, def.runtime);
  // The code may come at the top level (CosBucketName, CosObjectName, ZipFile) or inside Code.
  const nested = body['Code'];
  const pkg = readPackage(ctx, caller, typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>) : body, region);
  if (!pkg && handler === undefined) throw new TcApiError('InvalidParameterValue.Code', 'Give the new code (CosBucketName and CosObjectName, or ZipFile) or a new Handler.');
  if (handler !== undefined) def.handler = handler;
  def.lastModified = ctx.clock.now();
  startChange(ctx, def, 'update', pkg);
  return tcOk({});
}

export function updateFunctionConfiguration(ctx: EmulatorContext, caller: Caller, body: Record<string, unknown>, region: string): EmuResponse {
  const name = required(body, 'FunctionName');
  const namespace = namespaceOf(body);
  checkCam(ctx, caller, 'scf:UpdateFunctionConfiguration', scfResource(region, caller.account.id, namespace, name));
  const def = findScfFunction(ctx, caller, region, namespace, name);
  requireSettled(def, 'FailedOperation.UpdateFunctionConfiguration');
  const runtime = str(body, 'Runtime');
  const memory = int(body, 'MemorySize');
  const timeout = int(body, 'Timeout');
  if (runtime !== undefined) checkRuntime(runtime);
  if (memory !== undefined) checkMemory(memory);
  if (timeout !== undefined) checkTimeout(timeout);
  const environment = environmentOf(body);
  const role = str(body, 'Role');
  const roleArn = role ? passRole(ctx, caller, role) : undefined;
  if (runtime !== undefined) def.runtime = runtime;
  if (memory !== undefined) def.memoryMb = memory;
  if (timeout !== undefined) def.timeoutSeconds = timeout;
  if (environment !== undefined) def.environment = environment;
  if (roleArn !== undefined) def.roleArn = roleArn;
  const description = str(body, 'Description');
  if (description !== undefined) def.description = description;
  def.lastModified = ctx.clock.now();
  startChange(ctx, def, 'update', undefined);
  return tcOk({});
}

export function publishVersion(ctx: EmulatorContext, caller: Caller, body: Record<string, unknown>, region: string): EmuResponse {
  const name = required(body, 'FunctionName');
  const namespace = namespaceOf(body);
  checkCam(ctx, caller, 'scf:PublishVersion', scfResource(region, caller.account.id, namespace, name));
  const def = findScfFunction(ctx, caller, region, namespace, name);
  if (scfStatus(def) !== 'Active') throw new TcApiError('FailedOperation.PublishVersion', `The function ${name} is ${scfStatus(def)}; publish a version when it is Active.`);
  const version = String(def.versions.filter((v) => /^\d+$/.test(v)).length + 1);
  def.versions.push(version);
  const f = functionJson(def, version);
  return tcOk({ FunctionVersion: version, CodeSize: f['CodeSize'], MemorySize: def.memoryMb, Description: str(body, 'Description') ?? '', Handler: def.handler, Timeout: def.timeoutSeconds, Runtime: def.runtime, Namespace: def.namespace });
}

export function deleteFunction(ctx: EmulatorContext, caller: Caller, body: Record<string, unknown>, region: string): EmuResponse {
  const name = required(body, 'FunctionName');
  const namespace = namespaceOf(body);
  checkCam(ctx, caller, 'scf:DeleteFunction', scfResource(region, caller.account.id, namespace, name));
  const def = findScfFunction(ctx, caller, region, namespace, name);
  requireSettled(def, 'FailedOperation.DeleteFunction');
  ctx.state.functions.forEach((f, key) => {
    if (f === def) ctx.state.functions.delete(key);
  });
  return tcOk({});
}
