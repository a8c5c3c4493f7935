import { authorize } from '../core/authz';
import { type EmulatorContext, injectFault } from '../core/context';
import { admitInvocation, BadEventError, checkEvent, runFunction, tail } from '../core/functions';
import { type EmuRequest, type EmuResponse, header, json, queryParam } from '../core/http';
import { ids } from '../core/ids';
import { crc64 } from '../core/crc64';
import { BadPackageError, behaviourOfPackage, sha256Hex } from '../core/packages';
import { type Caller, currentLifecycle, type FcService, type FunctionDef, newFunctionDef, State } from '../core/state';
import { isAcsFailure, verifyAcs3 } from './acs3';
import { type AcsError, fcAuthError, fcErrorResponse } from './errors';
import { ossAllowed, ossResource } from './oss';

const SYNC_LIMIT = 32 * 1024 * 1024;
const ASYNC_LIMIT = 128 * 1024;

class FcError extends Error {
  constructor(readonly error: AcsError, readonly headers: Record<string, string> = {}) {
    super(error.message);
  }
}

const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}): FcError => new FcError({ status, code, message }, headers);

type Action =
  | 'InvokeFunction'
  | 'GetFunction'
  | 'ListFunctions'
  | 'GetService'
  | 'ListServices'
  | 'CreateService'
  | 'CreateFunction'
  | 'UpdateFunction'
  | 'DeleteFunction'
  | 'PublishServiceVersion';

interface Route {
  action: Action;
  service?: string;
  fn?: string;
  /** The older `services/<svc>.<qualifier>` form carries the qualifier in the path. */
  pathQualifier?: string;
}

function route(req: EmuRequest): Route | undefined {
  const m = /^\/2021-04-06\/services(?:\/([^/]+)(?:\/(functions|versions)(?:\/([^/]+)(\/invocations)?)?)?)?\/?$/.exec(req.rawPath);
  if (!m) return undefined;
  const rawService = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  const [service, pathQualifier] = rawService?.includes('.') ? rawService.split('.', 2) : [rawService, undefined];
  const collection = m[2];
  const fn = m[3] === undefined ? undefined : decodeURIComponent(m[3]);
  const at = { service, fn, pathQualifier };
  if (collection === 'versions') return !fn && req.method === 'POST' ? { action: 'PublishServiceVersion', ...at } : undefined;
  if (m[4]) return req.method === 'POST' ? { action: 'InvokeFunction', ...at } : undefined;
  if (fn) {
    const byMethod: Record<string, Action> = { GET: 'GetFunction', PUT: 'UpdateFunction', DELETE: 'DeleteFunction' };
    return byMethod[req.method] ? { action: byMethod[req.method]!, ...at } : undefined;
  }
  if (service && collection === 'functions') return req.method === 'GET' ? { action: 'ListFunctions', ...at } : req.method === 'POST' ? { action: 'CreateFunction', ...at } : undefined;
  if (service) return req.method === 'GET' ? { action: 'GetService', ...at } : undefined;
  return req.method === 'GET' ? { action: 'ListServices' } : req.method === 'POST' ? { action: 'CreateService' } : undefined;
}

/** A service as FC reports it: made through CreateService, or implied by admin-made functions. */
interface ServiceView {
  name: string;
  region: string;
  role?: string;
  description: string;
  createdAt: Date;
  lastModified: Date;
  explicit?: FcService;
}

const serviceKey = (uid: string, name: string): string => `${uid}|${name}`;

function findService(ctx: EmulatorContext, uid: string, name: string): ServiceView | undefined {
  const explicit = ctx.state.fcServices.get(serviceKey(uid, name));
  if (explicit) return { ...explicit, explicit };
  const first = ctx.state.listFunctions('aliyun', uid, (f) => f.service === name)[0];
  return first ? { name, region: first.region, description: 'emulated service', createdAt: first.createdAt, lastModified: first.createdAt } : undefined;
}

function allServices(ctx: EmulatorContext, uid: string): ServiceView[] {
  const names = new Set([...ctx.state.listFunctions('aliyun', uid).map((f) => f.service), ...[...ctx.state.fcServices.values()].filter((s) => s.accountId === uid).map((s) => s.name)]);
  return [...names].sort().map((n) => findService(ctx, uid, n)!);
}

/**
 * The region a request addresses. The real endpoint says it (`<uid>.<region>.fc.aliyuncs.com`);
 * behind an overridden endpoint requests carry none, so the service's own region is used, else
 * the region of the account's other services, else cn-hangzhou.
 */
function regionFor(ctx: EmulatorContext, req: EmuRequest, uid: string, service: string | undefined): string {
  const fromHost = /^\d+\.([a-z0-9-]+)\.fc\.aliyuncs\.com(?::\d+)?$/.exec(header(req, 'host') ?? '')?.[1];
  if (fromHost) return fromHost;
  const own = service ? findService(ctx, uid, service) : undefined;
  return own?.region ?? allServices(ctx, uid)[0]?.region ?? 'cn-hangzhou';
}

function check(ctx: EmulatorContext, caller: Caller, action: string, resource: string, context: Record<string, string> = {}): void {
  const decision = authorize(caller, ctx.clock.now(), { action, resource, context });
  if (!decision.allowed) throw fail(403, 'AccessDenied', `the caller is not authorized to perform '${action}' on resource '${resource}'`);
}

/** Functions whose last change is an update (Active, lastUpdateStatus InProgress) rather than a creation (Pending). */
const updating = new WeakSet<FunctionDef>();

function stateFields(f: FunctionDef): Record<string, string> {
  const lifecycle = currentLifecycle(f);
  if (lifecycle === 'active') updating.delete(f);
  if (lifecycle === 'failed') return { state: 'Failed', stateReason: f.stateReason ?? 'the function failed to start', stateReasonCode: 'InternalError', lastUpdateStatus: 'Failed' };
  if (lifecycle === 'pending' && updating.has(f)) return { state: 'Active', lastUpdateStatus: 'InProgress', lastUpdateStatusReason: f.stateReason ?? 'The function is being updated.', lastUpdateStatusReasonCode: 'Updating' };
  if (lifecycle === 'pending') return { state: 'Pending', stateReason: f.stateReason ?? 'The function is being created.', stateReasonCode: 'Creating', lastUpdateStatus: 'Successful' };
  return { state: 'Active', lastUpdateStatus: 'Successful' };
}

function codeChecksum(f: FunctionDef): string {
  return f.code?.crc64 ?? crc64(Buffer.from(`${f.service}/${f.name}`));
}

function functionJson(f: FunctionDef): Record<string, unknown> {
  return {
    functionId: `${f.service}-${f.name}`,
    functionName: f.name,
    description: f.description ?? (f.code ? '' : `emulated ${f.behaviour.type} function`),
    runtime: f.runtime,
    handler: f.handler,
    timeout: f.timeoutSeconds,
    memorySize: f.memoryMb,
    codeSize: f.code?.size ?? 1024,
    codeChecksum: codeChecksum(f),
    createdTime: f.createdAt.toISOString(),
    lastModifiedTime: f.lastModified.toISOString(),
    environmentVariables: f.environment,
    instanceConcurrency: 1,
    ...stateFields(f),
  };
}

function serviceJson(s: ServiceView): Record<string, unknown> {
  return { serviceId: `svc-${s.name}`, serviceName: s.name, description: s.description, role: s.role ?? '', createdTime: s.createdAt.toISOString(), lastModifiedTime: s.lastModified.toISOString(), internetAccess: true };
}

function qualifierVersion(def: FunctionDef, qualifier: string | undefined): string | undefined {
  if (qualifier === undefined || qualifier === 'LATEST') return 'LATEST';
  if (def.versions.includes(qualifier)) return qualifier;
  return def.aliases[qualifier];
}

async function invoke(ctx: EmulatorContext, req: EmuRequest, caller: Caller, r: Route): Promise<EmuResponse> {
  const type = header(req, 'x-fc-invocation-type') ?? 'Sync';
  if (type !== 'Sync' && type !== 'Async') throw fail(400, 'InvalidArgument', `invalid X-Fc-Invocation-Type '${type}'`);
  const limit = type === 'Async' ? ASYNC_LIMIT : SYNC_LIMIT;
  if (req.body.length > limit) throw fail(413, 'EntityTooLarge', `payload size exceeds maximum allowed size (${limit} bytes)`);
  const region = regionFor(ctx, req, caller.account.id, r.service);
  // Permission is checked on the unqualified function: RAM's qualified resource form is unconfirmed.
  check(ctx, caller, 'fc:InvokeFunction', `acs:fc:${region}:${caller.account.id}:services/${r.service}/functions/${r.fn}`);
  const def = existingFunction(ctx, caller.account.id, r);
  const qualifier = r.pathQualifier ?? queryParam(req, 'qualifier');
  const version = qualifierVersion(def, qualifier);
  if (version === undefined) throw fail(404, 'AliasNotFound', `alias '${qualifier}' does not exist in service '${r.service}'`);
  try {
    checkEvent(def, req.body);
  } catch (error) {
    if (error instanceof BadEventError) throw fail(400, 'InvalidArgument', error.message);
    throw error;
  }
  if (!admitInvocation(def)) throw fail(429, 'ResourceThrottled', 'Reserve resource exhausted. Please try again later.');
  ctx.counters.invocation(`aliyun:${def.accountId}:${def.region}:${def.service}/${def.name}`);
  const requestId = ids.requestId();
  const common = { 'x-fc-request-id': requestId, 'x-fc-invocation-service-version': version, 'x-fc-code-checksum': codeChecksum(def) };
  if (type === 'Async') {
    void runFunction(def, req.body, requestId).catch(() => undefined);
    return { status: 202, headers: common, body: '' };
  }
  const result = await runFunction(def, req.body, requestId);
  const headers: Record<string, string> = { ...common, 'content-type': 'application/octet-stream' };
  if ((header(req, 'x-fc-log-type') ?? 'None') === 'Tail') {
    const log = `FC Invoke Start RequestId: ${requestId}\n${result.log}FC Invoke End RequestId: ${requestId}\n`;
    headers['x-fc-log-result'] = Buffer.from(tail(log)).toString('base64');
  }
  // A failing function is still a 200; x-fc-error-type tells it apart.
  if (result.kind === 'error') headers['x-fc-error-type'] = 'UnhandledInvocationError';
  return { status: 200, headers, body: result.payload };
}

function existingFunction(ctx: EmulatorContext, uid: string, r: Route): FunctionDef {
  const def = ctx.state.findFunction('aliyun', uid, undefined, r.service!, r.fn!);
  if (def) return def;
  if (!findService(ctx, uid, r.service!)) throw fail(404, 'ServiceNotFound', `service '${r.service}' does not exist`);
  throw fail(404, 'FunctionNotFound', `function '${r.fn}' does not exist in service '${r.service}'`);
}

function body(req: EmuRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(req.body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw fail(400, 'InvalidArgument', 'the request body is not a JSON object');
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_-]{0,127}$/;
/** FC 2.0 runtimes (the ones a code package can be deployed to; custom-container needs an image instead). */
const RUNTIMES = new Set(['nodejs20', 'nodejs18', 'nodejs16', 'nodejs14', 'nodejs12', 'python3.10', 'python3.9', 'python3', 'java11', 'java8', 'php7.2', 'go1', 'dotnetcore3.1', 'custom', 'custom.debian10', 'custom.debian11']);
const ENV_KEY = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const ENV_LIMIT_BYTES = 4096;

/** What CreateFunction / UpdateFunction may set, checked as FC does: each refusal names its field. */
interface FunctionFields {
  runtime?: string;
  handler?: string;
  memorySize?: number;
  timeout?: number;
  environmentVariables?: Record<string, string>;
  description?: string;
  code?: { ossBucketName?: string; ossObjectName?: string; zipFile?: string };
}

function fields(b: Record<string, unknown>): FunctionFields {
  const out: FunctionFields = {};
  if (b['runtime'] !== undefined) {
    if (typeof b['runtime'] !== 'string' || !RUNTIMES.has(b['runtime'])) throw fail(400, 'InvalidArgument', `runtime is set to an invalid value: '${String(b['runtime'])}' is not a supported runtime (${[...RUNTIMES].join(', ')})`);
    out.runtime = b['runtime'];
  }
  if (b['handler'] !== undefined) {
    if (typeof b['handler'] !== 'string' || !/^[^\s]{1,128}$/.test(b['handler'])) throw fail(400, 'InvalidArgument', `handler is set to an invalid value: '${String(b['handler'])}' (1 to 128 characters, no spaces)`);
    out.handler = b['handler'];
  }
  if (b['memorySize'] !== undefined) {
    const m = b['memorySize'];
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 128 || m > 32768 || m % 64 !== 0) throw fail(400, 'InvalidArgument', `memorySize is set to an invalid value: ${String(m)} (a multiple of 64 from 128 to 32768 MB)`);
    out.memorySize = m;
  }
  if (b['timeout'] !== undefined) {
    const t = b['timeout'];
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 86400) throw fail(400, 'InvalidArgument', `timeout is set to an invalid value: ${String(t)} (1 to 86400 seconds)`);
    out.timeout = t;
  }
  if (b['environmentVariables'] !== undefined) {
    const env = b['environmentVariables'];
    if (!env || typeof env !== 'object' || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string')) throw fail(400, 'InvalidArgument', 'environmentVariables must map names to string values');
    const bad = Object.keys(env).find((k) => !ENV_KEY.test(k));
    if (bad !== undefined) throw fail(400, 'InvalidArgument', `environmentVariables key '${bad}' is invalid: a letter, then letters, digits or underscores`);
    if (Buffer.byteLength(JSON.stringify(env)) > ENV_LIMIT_BYTES) throw fail(400, 'InvalidArgument', `environmentVariables exceed ${ENV_LIMIT_BYTES} bytes`);
    out.environmentVariables = env as Record<string, string>;
  }
  if (b['description'] !== undefined) out.description = String(b['description']);
  if (b['code'] !== undefined) {
    const c = b['code'] as FunctionFields['code'];
    const fromOss = !!c?.ossBucketName || !!c?.ossObjectName;
    if (!c || typeof c !== 'object' || fromOss === !!c.zipFile || (fromOss && !(c.ossBucketName && c.ossObjectName))) throw fail(400, 'InvalidArgument', 'code must give either ossBucketName and ossObjectName, or zipFile');
    out.code = c;
  }
  return out;
}

/** Reads the package the way FC does: from the caller's OSS bucket (needs oss:GetObject), or the inline base64 zip. */
function loadPackage(ctx: EmulatorContext, caller: Caller, code: NonNullable<FunctionFields['code']>): { zip: Buffer; bucket: string; key: string } {
  if (code.zipFile) return { zip: Buffer.from(code.zipFile, 'base64'), bucket: '', key: '' };
  const bucket = ctx.state.bucket('aliyun', code.ossBucketName!);
  // The codes FC uses for a package it cannot find are unconfirmed (README).
  if (!bucket) throw fail(400, 'OSSBucketNotFound', `code.ossBucketName: OSS bucket '${code.ossBucketName}' does not exist`);
  const resource = ossResource(bucket, code.ossObjectName!);
  if (!ossAllowed(ctx, caller, bucket, 'oss:GetObject', resource)) throw fail(403, 'AccessDenied', `FC cannot read the code package: the caller is not authorized to perform 'oss:GetObject' on resource '${resource}'`);
  const object = bucket.objects.get(code.ossObjectName!);
  if (!object) throw fail(400, 'OSSObjectNotFound', `code.ossObjectName: object '${code.ossObjectName}' does not exist in OSS bucket '${code.ossBucketName}'`);
  return { zip: object.body, bucket: bucket.name, key: object.key };
}

/** Takes a new package: its behaviour, size and checksums; a file that is not a zip is refused like FC does. */
function applyPackage(def: FunctionDef, pkg: { zip: Buffer; bucket: string; key: string }): void {
  try {
    def.behaviour = behaviourOfPackage(pkg.zip);
  } catch (error) {
    if (error instanceof BadPackageError) throw fail(400, 'InvalidArgument', `code: ${error.message}`);
    throw error;
  }
  def.code = { bucket: pkg.bucket, key: pkg.key, size: pkg.zip.length, sha256: sha256Hex(pkg.zip), crc64: crc64(pkg.zip) };
}

function startPending(ctx: EmulatorContext, def: FunctionDef, update: boolean): void {
  def.lifecycle = 'pending';
  def.readyAt = Date.now() + ctx.deployment.pendingMs;
  if (update) updating.add(def);
  else updating.delete(def);
}

function createService(ctx: EmulatorContext, req: EmuRequest, caller: Caller): EmuResponse {
  const uid = caller.account.id;
  const b = body(req);
  const name = b['serviceName'];
  if (typeof name !== 'string' || !NAME.test(name)) throw fail(400, 'InvalidArgument', `serviceName is set to an invalid value: '${String(name)}'`);
  const region = regionFor(ctx, req, uid, undefined);
  check(ctx, caller, 'fc:CreateService', `acs:fc:${region}:${uid}:services/${name}`);
  if (findService(ctx, uid, name)) throw fail(409, 'ServiceAlreadyExists', `service '${name}' already exists`);
  const role = b['role'] === undefined || b['role'] === '' ? undefined : String(b['role']);
  if (role !== undefined) {
    if (!/^acs:ram::\d+:role\/[A-Za-z0-9.-]{1,64}$/.test(role)) throw fail(400, 'InvalidArgument', `role is set to an invalid value: '${role}' is not a RAM role ARN`);
    // Handing a role to FC is RAM's ram:PassRole, with FC as the acs:Service.
    check(ctx, caller, 'ram:PassRole', role, { 'acs:Service': 'fc.aliyuncs.com' });
    if (!ctx.state.role('aliyun', role)) throw fail(400, 'InvalidArgument', `role '${role}' does not exist`);
  }
  const now = ctx.clock.now();
  const service: FcService = { accountId: uid, region, name, ...(role ? { role } : {}), description: typeof b['description'] === 'string' ? b['description'] : '', createdAt: now, lastModified: now, versions: [] };
  ctx.state.fcServices.set(serviceKey(uid, name), service);
  return json(200, serviceJson({ ...service, explicit: service }), { 'x-fc-request-id': ids.requestId() });
}

function createFunction(ctx: EmulatorContext, req: EmuRequest, caller: Caller, r: Route): EmuResponse {
  const uid = caller.account.id;
  const b = body(req);
  const name = b['functionName'];
  if (typeof name !== 'string' || !NAME.test(name)) throw fail(400, 'InvalidArgument', `functionName is set to an invalid value: '${String(name)}'`);
  const region = regionFor(ctx, req, uid, r.service);
  check(ctx, caller, 'fc:CreateFunction', `acs:fc:${region}:${uid}:services/${r.service}/functions/${name}`);
  const service = findService(ctx, uid, r.service!);
  if (!service) throw fail(404, 'ServiceNotFound', `service '${r.service}' does not exist`);
  if (ctx.state.findFunction('aliyun', uid, undefined, r.service!, name)) throw fail(409, 'FunctionAlreadyExists', `function '${name}' already exists in service '${r.service}'`);
  const f = fields(b);
  if (!f.runtime) throw fail(400, 'InvalidArgument', 'runtime is required');
  if (!f.handler && !f.runtime.startsWith('custom')) throw fail(400, 'InvalidArgument', 'handler is required');
  if (!f.code) throw fail(400, 'InvalidArgument', 'code is required');
  const pkg = loadPackage(ctx, caller, f.code);
  const now = ctx.clock.now();
  const def = newFunctionDef(
    {
      cloud: 'aliyun',
      accountId: uid,
      region: service.region,
      name,
      namespace: 'default',
      service: r.service!,
      runtime: f.runtime,
      handler: f.handler ?? 'index.handler',
      memoryMb: f.memorySize ?? 128,
      timeoutSeconds: f.timeout ?? 3,
      lifecycle: 'pending',
      environment: f.environmentVariables ?? {},
      ...(service.role ? { roleArn: service.role } : {}),
      ...(f.description !== undefined ? { description: f.description } : {}),
    },
    now,
  );
  applyPackage(def, pkg);
  startPending(ctx, def, false);
  ctx.state.putFunction(def);
  return json(200, functionJson(def), { 'x-fc-request-id': ids.requestId() });
}

function updateFunction(ctx: EmulatorContext, req: EmuRequest, caller: Caller, r: Route): EmuResponse {
  const uid = caller.account.id;
  check(ctx, caller, 'fc:UpdateFunction', `acs:fc:${regionFor(ctx, req, uid, r.service)}:${uid}:services/${r.service}/functions/${r.fn}`);
  const def = existingFunction(ctx, uid, r);
  const f = fields(body(req));
  const pkg = f.code ? loadPackage(ctx, caller, f.code) : undefined;
  if (pkg) applyPackage(def, pkg);
  if (f.runtime !== undefined) def.runtime = f.runtime;
  if (f.handler !== undefined) def.handler = f.handler;
  if (f.memorySize !== undefined) def.memoryMb = f.memorySize;
  if (f.timeout !== undefined) def.timeoutSeconds = f.timeout;
  if (f.environmentVariables !== undefined) def.environment = f.environmentVariables;
  if (f.description !== undefined) def.description = f.description;
  def.lastModified = ctx.clock.now();
  // A function still being created stays Pending; an active one reports its update as InProgress.
  startPending(ctx, def, currentLifecycle(def) !== 'pending' || updating.has(def));
  return json(200, functionJson(def), { 'x-fc-request-id': ids.requestId() });
}

function publishVersion(ctx: EmulatorContext, req: EmuRequest, caller: Caller, r: Route): EmuResponse {
  const uid = caller.account.id;
  check(ctx, caller, 'fc:PublishServiceVersion', `acs:fc:${regionFor(ctx, req, uid, r.service)}:${uid}:services/${r.service}`);
  const view = findService(ctx, uid, r.service!);
  if (!view) throw fail(404, 'ServiceNotFound', `service '${r.service}' does not exist`);
  // Services implied by admin-made functions get a record on their first version.
  const service = view.explicit ?? { accountId: uid, region: view.region, name: view.name, description: view.description, createdAt: view.createdAt, lastModified: view.lastModified, versions: [] };
  ctx.state.fcServices.set(serviceKey(uid, service.name), service);
  const versionId = String(service.versions.length + 1);
  service.versions.push(versionId);
  // A service version freezes every function of the service as it is now.
  for (const f of ctx.state.listFunctions('aliyun', uid, (fn) => fn.service === service.name)) f.versions.push(versionId);
  const description = String(body(req)['description'] ?? '');
  const at = ctx.clock.now().toISOString();
  return json(200, { versionId, description, createdTime: at, lastModifiedTime: at }, { 'x-fc-request-id': ids.requestId() });
}

function serve(ctx: EmulatorContext, caller: Caller, req: EmuRequest, r: Route): EmuResponse | Promise<EmuResponse> {
  const uid = caller.account.id;
  switch (r.action) {
    case 'InvokeFunction':
      return invoke(ctx, req, caller, r);
    case 'CreateService':
      return createService(ctx, req, caller);
    case 'CreateFunction':
      return createFunction(ctx, req, caller, r);
    case 'UpdateFunction':
      return updateFunction(ctx, req, caller, r);
    case 'PublishServiceVersion':
      return publishVersion(ctx, req, caller, r);
    case 'DeleteFunction': {
      check(ctx, caller, 'fc:DeleteFunction', `acs:fc:${regionFor(ctx, req, uid, r.service)}:${uid}:services/${r.service}/functions/${r.fn}`);
      const def = existingFunction(ctx, uid, r);
      ctx.state.functions.delete(State.functionKey('aliyun', uid, def.region, def.service, def.name));
      return { status: 204, headers: { 'x-fc-request-id': ids.requestId() }, body: '' };
    }
    case 'GetFunction': {
      check(ctx, caller, 'fc:GetFunction', `acs:fc:${regionFor(ctx, req, uid, r.service)}:${uid}:services/${r.service}/functions/${r.fn}`);
      return json(200, functionJson(existingFunction(ctx, uid, r)), { 'x-fc-request-id': ids.requestId() });
    }
    case 'ListFunctions': {
      check(ctx, caller, 'fc:ListFunctions', `acs:fc:${regionFor(ctx, req, uid, r.service)}:${uid}:services/${r.service}/functions/*`);
      if (!findService(ctx, uid, r.service!)) throw fail(404, 'ServiceNotFound', `service '${r.service}' does not exist`);
      const prefix = queryParam(req, 'prefix') ?? '';
      const rawLimit = queryParam(req, 'limit');
      const limit = rawLimit === undefined ? 20 : Number(rawLimit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw fail(400, 'InvalidArgument', `limit is set to an invalid value: '${rawLimit}' (1 to 100)`);
      // nextToken is the name of the first function of the next page, as FC hands it out.
      const from = queryParam(req, 'nextToken') ?? queryParam(req, 'startKey') ?? '';
      const all = ctx.state.listFunctions('aliyun', uid, (f) => f.service === r.service && f.name.startsWith(prefix) && f.name >= from).sort((a, b) => (a.name < b.name ? -1 : 1));
      const page = all.slice(0, limit);
      const next = all[limit]?.name;
      return json(200, { functions: page.map(functionJson), ...(next ? { nextToken: next } : {}) }, { 'x-fc-request-id': ids.requestId() });
    }
    case 'GetService': {
      check(ctx, caller, 'fc:GetService', `acs:fc:${regionFor(ctx, req, uid, r.service)}:${uid}:services/${r.service}`);
      const service = findService(ctx, uid, r.service!);
      if (!service) throw fail(404, 'ServiceNotFound', `service '${r.service}' does not exist`);
      return json(200, serviceJson(service), { 'x-fc-request-id': ids.requestId() });
    }
    case 'ListServices': {
      check(ctx, caller, 'fc:ListServices', `acs:fc:*:${uid}:services/*`);
      return json(200, { services: allServices(ctx, uid).map(serviceJson) }, { 'x-fc-request-id': ids.requestId() });
    }
  }
}

/**
 * Aliyun Function Compute 2.0 (ROA, ACS3-signed): services (Create, Get, List, PublishServiceVersion)
 * and functions (Create from an OSS package or a base64 zip, Get, Update, Delete, List, Invoke).
 */
export async function handleFc(req: EmuRequest, ctx: EmulatorContext): Promise<EmuResponse> {
  const r = route(req);
  ctx.counters.call('aliyun', 'fc', r?.action ?? header(req, 'x-acs-action') ?? 'unknown');
  const auth = verifyAcs3(req, ctx);
  if (isAcsFailure(auth)) return fcErrorResponse(fcAuthError(auth));
  try {
    if (!r) throw fail(404, 'PathNotSupported', `${req.method} ${req.rawPath} is not supported`);
    const fault = await injectFault(ctx, 'aliyun', 'fc', r.action);
    if (fault) throw fail(fault.status ?? 429, fault.code!, fault.message ?? 'Reserve resource exhausted. Please try again later.');
    return await serve(ctx, auth.caller, req, r);
  } catch (error) {
    if (error instanceof FcError) return fcErrorResponse(error.error, error.headers);
    throw error;
  }
}
