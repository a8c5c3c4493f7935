import { createHash } from 'node:crypto';
import { authorize } from '../core/authz';
import type { EmulatorContext } from '../core/context';
import { type EmuRequest, type EmuResponse, json } from '../core/http';
import { ids } from '../core/ids';
import { BadBehaviourFileError, BadPackageError, behaviourOfPackage } from '../core/packages';
import { type Caller, type FunctionBehaviour, type FunctionCode, type FunctionDef, newFunctionDef, State } from '../core/state';
import {
  beginChange,
  codeSha256,
  check,
  configuration,
  fail,
  findFunction,
  type PendingChange,
  recordOf,
  resolveTarget,
  settle,
  type Target,
} from './lambda-core';

/**
 * Lambda's deployment calls: CreateFunction, UpdateFunctionCode, UpdateFunctionConfiguration,
 * PublishVersion, DeleteFunction, GetFunctionConfiguration. Each checks `lambda:<Action>` on the
 * function ARN, `iam:PassRole` for a role it is given, and reads packages from the emulated S3 with
 * the caller's own `s3:GetObject`, as Lambda does.
 */

const LAMBDA_SERVICE = 'lambda.amazonaws.com';
/** ZipFile uploads: 50 MB zipped, base64 in a JSON body (Lambda states the limit of the whole request). */
const ZIP_FILE_LIMIT = 50 * 1024 * 1024;

/** The runtimes of @aws-sdk/client-lambda's Runtime enum. */
const RUNTIMES = [
  'nodejs', 'nodejs4.3', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x', 'nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x', 'nodejs26.x',
  'java8', 'java8.al2', 'java8.al2023', 'java11', 'java11.al2023', 'java17', 'java17.al2023', 'java21', 'java25',
  'python2.7', 'python3.6', 'python3.7', 'python3.8', 'python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14', 'python3.15',
  'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'dotnet6', 'dotnet8', 'dotnet10',
  'nodejs4.3-edge', 'go1.x', 'ruby2.5', 'ruby2.7', 'ruby3.2', 'ruby3.3', 'ruby3.4', 'ruby4.0', 'provided', 'provided.al2', 'provided.al2023',
];

/** Enum members Lambda no longer takes for creating or updating functions. */
const BLOCKED_RUNTIMES = new Set([
  'nodejs', 'nodejs4.3', 'nodejs4.3-edge', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x',
  'python2.7', 'python3.6', 'python3.7', 'python3.8', 'java8', 'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'dotnet6', 'ruby2.5', 'ruby2.7', 'go1.x', 'provided',
]);

const ROLE_PATTERN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const ENV_NAME = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
/** Set by the Lambda runtime itself; a function may not override them. */
const RESERVED_VARIABLES = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

interface CodeInput {
  ZipFile?: unknown;
  S3Bucket?: unknown;
  S3Key?: unknown;
  S3ObjectVersion?: unknown;
}

/** The configuration fields CreateFunction and UpdateFunctionConfiguration share. */
interface ConfigInput {
  Role?: unknown;
  Runtime?: unknown;
  Handler?: unknown;
  Description?: unknown;
  Timeout?: unknown;
  MemorySize?: unknown;
  Environment?: { Variables?: unknown };
  RevisionId?: unknown;
}

function parseBody(req: EmuRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(req.body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // falls through to Lambda's answer for a body it cannot read
  }
  throw fail(400, 'InvalidRequestContentException', 'Could not parse request body into json: the request body is not a JSON object');
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Model constraints (ValidationException, all failures in one sentence), then Lambda's own rules (InvalidParameterValueException). */
function validateConfig(input: ConfigInput, creating: boolean): void {
  const problems: string[] = [];
  const role = input.Role;
  if (role === undefined && creating) problems.push(`Value null at 'role' failed to satisfy constraint: Member must not be null`);
  if (role !== undefined && (typeof role !== 'string' || !ROLE_PATTERN.test(role))) {
    problems.push(`Value '${String(role)}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`);
  }
  if (input.Runtime !== undefined && (typeof input.Runtime !== 'string' || !RUNTIMES.includes(input.Runtime))) {
    problems.push(`Value '${String(input.Runtime)}' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${RUNTIMES.join(', ')}] or be a valid ARN`);
  }
  if (input.Handler !== undefined && (typeof input.Handler !== 'string' || input.Handler.length > 128 || !/^[^\s]+$/.test(input.Handler))) {
    problems.push(
      typeof input.Handler === 'string' && input.Handler.length > 128
        ? `Value '${input.Handler}' at 'handler' failed to satisfy constraint: Member must have length less than or equal to 128`
        : `Value '${String(input.Handler)}' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+`,
    );
  }
  range(problems, input.MemorySize, 'memorySize', 128, 10240);
  range(problems, input.Timeout, 'timeout', 1, 900);
  if (input.Description !== undefined && (typeof input.Description !== 'string' || input.Description.length > 256)) {
    problems.push(`Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 256`);
  }
  const variables = input.Environment?.Variables;
  if (variables !== undefined && (typeof variables !== 'object' || variables === null || Object.values(variables).some((v) => typeof v !== 'string'))) {
    problems.push(`Value at 'environment.variables' failed to satisfy constraint: Member must be a map of strings`);
  } else if (variables && Object.keys(variables).some((k) => !ENV_NAME.test(k))) {
    // Lambda leaves values (possibly secrets) out of this sentence, and so does the emulator.
    problems.push(`Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]`);
  }
  if (problems.length > 0) throw fail(400, 'ValidationException', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);

  if (creating && (input.Runtime === undefined || input.Handler === undefined)) {
    throw fail(400, 'InvalidParameterValueException', 'Runtime and Handler are mandatory parameters for functions created with deployment packages.');
  }
  if (typeof input.Runtime === 'string' && BLOCKED_RUNTIMES.has(input.Runtime)) {
    throw fail(400, 'InvalidParameterValueException', `The runtime parameter of ${input.Runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or upgrading functions.`);
  }
  if (variables && typeof variables === 'object') {
    const reserved = Object.keys(variables).filter((k) => RESERVED_VARIABLES.has(k));
    if (reserved.length > 0) {
      throw fail(400, 'InvalidParameterValueException', `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`);
    }
    if (Buffer.byteLength(JSON.stringify(variables)) > 4096) {
      throw fail(400, 'InvalidParameterValueException', 'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.');
    }
  }
}

function range(problems: string[], value: unknown, field: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) problems.push(`Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must be an integer`);
  else if (value < min) problems.push(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  else if (value > max) problems.push(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
}

/** Does a trust policy let a service principal (`lambda.amazonaws.com`) assume the role? Conditions are not evaluated. */
export function trustsService(rawTrustPolicy: unknown, service: string): boolean {
  let doc: unknown = rawTrustPolicy;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      return false;
    }
  }
  const statements = (doc as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
  return list.some((raw) => {
    const st = raw as { Effect?: unknown; Action?: unknown; Principal?: unknown };
    if (st.Effect !== 'Allow') return false;
    if (!asList(st.Action).some((a) => ['sts:assumerole', 'sts:*', '*'].includes(a.toLowerCase()))) return false;
    const principal = st.Principal as { Service?: unknown } | string | undefined;
    return typeof principal === 'object' && principal !== null && asList(principal.Service).includes(service);
  });
}

/** The caller must be allowed to pass the role to Lambda, and the role must trust Lambda. */
function checkRole(ctx: EmulatorContext, caller: Caller, roleArn: string): void {
  check(ctx, caller, 'iam:PassRole', roleArn, undefined, roleArn.split(':')[4], { 'iam:PassedToService': LAMBDA_SERVICE });
  const role = ctx.state.role('aws', roleArn);
  if (!role || !trustsService(role.rawTrustPolicy, LAMBDA_SERVICE)) throw fail(400, 'InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.');
}

interface Package {
  zip: Buffer;
  bucket: string;
  key: string;
}

/** Reads the package from the request (ZipFile) or from S3 with the caller's own permissions. */
function readPackage(ctx: EmulatorContext, caller: Caller, region: string, code: CodeInput, operation: string): Package {
  const hasZip = code.ZipFile !== undefined;
  const hasS3 = code.S3Bucket !== undefined || code.S3Key !== undefined;
  if (hasZip && hasS3) throw fail(400, 'InvalidParameterValueException', 'Please do not provide other FunctionCode parameters when providing a ZipFile.');
  if (hasZip) {
    if (typeof code.ZipFile !== 'string') throw fail(400, 'InvalidParameterValueException', 'ZipFile must be base64-encoded bytes.');
    const zip = Buffer.from(code.ZipFile, 'base64');
    if (zip.length > ZIP_FILE_LIMIT) throw fail(413, 'RequestEntityTooLargeException', `Request must be smaller than 69905067 bytes for the ${operation} operation`);
    return { zip, bucket: '', key: '' };
  }
  const bucketName = str(code.S3Bucket);
  const key = str(code.S3Key);
  if (!bucketName || !key) throw fail(400, 'InvalidParameterValueException', 'Please provide a source for function code: ZipFile, or S3Bucket with S3Key.');
  const getObjectError = (s3Code: string, s3Message: string): Error => fail(400, 'InvalidParameterValueException', `Error occurred while GetObject. S3 Error Code: ${s3Code}. S3 Error Message: ${s3Message}`);
  const bucket = ctx.state.bucket('aws', bucketName);
  if (!bucket) throw getObjectError('NoSuchBucket', 'The specified bucket does not exist');
  if (bucket.region !== region) throw getObjectError('PermanentRedirect', `The bucket is in this region: ${bucket.region}. Please use this region to retry the request`);
  const bucketArn = `arn:${caller.account.partition}:s3:::${bucket.name}`;
  const s3Allows = (action: string, resource: string): boolean =>
    authorize(caller, ctx.clock.now(), { action, resource, resourcePolicy: bucket.policy, resourceAccount: bucket.accountId }).allowed;
  const denied = fail(403, 'AccessDeniedException', `Your access has been denied by S3, please make sure your request credentials have permission to GetObject for ${bucket.name}/${key}. S3 Error Code: AccessDenied. S3 Error Message: Access Denied`);
  if (!s3Allows('s3:GetObject', `${bucketArn}/${key}`)) throw denied;
  const object = bucket.objects.get(key);
  if (!object) {
    // S3 only admits a key is missing to a caller that may list the bucket.
    if (!s3Allows('s3:ListBucket', bucketArn)) throw denied;
    throw getObjectError('NoSuchKey', 'The specified key does not exist.');
  }
  return { zip: object.body, bucket: bucket.name, key };
}

/** The behaviour a package gives the function, or the failure its deployment will end in. */
function unpack(zip: Buffer): { behaviour?: FunctionBehaviour; failure?: PendingChange['failure'] } {
  try {
    return { behaviour: behaviourOfPackage(zip) };
  } catch (error) {
    if (error instanceof BadBehaviourFileError) return { failure: { reason: `The function could not be configured: ${error.message}.`, reasonCode: 'InvalidConfiguration' } };
    if (error instanceof BadPackageError) throw fail(400, 'InvalidParameterValueException', 'Could not unzip uploaded file. Please check your file, then try to upload again.');
    throw error;
  }
}

function codeOf(pkg: Package): FunctionCode {
  return { bucket: pkg.bucket, key: pkg.key, size: pkg.zip.length, sha256: createHash('sha256').update(pkg.zip).digest('hex') };
}

/** Code storage in use in an account and region: every function's code plus every published version's. */
function codeStorageUsed(ctx: EmulatorContext, accountId: string, region: string, except?: FunctionDef): number {
  let used = 0;
  for (const def of ctx.state.listFunctions('aws', accountId, (f) => f.region === region)) {
    if (def !== except) used += def.code?.size ?? 0;
    for (const version of recordOf(def).published.values()) used += version.codeSize;
  }
  return used;
}

function checkCodeStorage(ctx: EmulatorContext, target: Target, size: number, replacing?: FunctionDef): void {
  if (codeStorageUsed(ctx, target.accountId, target.region, replacing) + size > ctx.deployment.lambdaCodeStorageBytes) {
    throw fail(400, 'CodeStorageExceededException', 'Code storage limit exceeded.');
  }
}

/** Updates and publishing wait for the previous change: Lambda refuses them while it is in progress. */
function refuseWhileBusy(def: FunctionDef, target: Target): void {
  const record = recordOf(def);
  if (record.change?.kind === 'create') throw fail(409, 'ResourceConflictException', 'The operation cannot be performed at this time. The function is currently in the following state: Pending');
  if (record.change) throw fail(409, 'ResourceConflictException', `The operation cannot be performed at this time. An update is in progress for resource: ${target.unqualifiedArn}`);
}

function checkRevision(def: FunctionDef, revisionId: unknown): void {
  if (revisionId !== undefined && revisionId !== recordOf(def).revisionId) {
    throw fail(412, 'PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
  }
}

function unqualified(target: Target): void {
  if (target.qualifier !== undefined) throw fail(400, 'InvalidParameterValueException', 'Unsupported qualifier: this operation acts on the unpublished function ($LATEST) only.');
}

/** Publishes $LATEST as a new version, or answers the newest version when nothing changed since it was published. */
function publish(def: FunctionDef, partition: string, description?: string): Record<string, unknown> {
  const record = recordOf(def);
  const latest = configuration(def, partition);
  const newest = [...record.published.values()].at(-1);
  if (newest && newest.configuration['CodeSha256'] === latest['CodeSha256'] && sameConfiguration(newest.configuration, latest)) return newest.configuration;
  const version = String(Math.max(0, ...def.versions.map(Number).filter(Number.isFinite)) + 1);
  const snapshot = { ...latest, Version: version, FunctionArn: `${String(latest['FunctionArn'])}:${version}`, ...(description !== undefined ? { Description: description } : {}) };
  def.versions.push(version);
  record.published.set(version, { version, configuration: snapshot, behaviour: record.change?.behaviour ?? def.behaviour, codeSize: def.code?.size ?? 0 });
  return snapshot;
}

const COMPARED = ['Runtime', 'Role', 'Handler', 'Timeout', 'MemorySize', 'Environment'] as const;

function sameConfiguration(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return COMPARED.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

/** POST /2015-03-31/functions */
export function createFunction(ctx: EmulatorContext, req: EmuRequest, caller: Caller, region: string): EmuResponse {
  const body = parseBody(req);
  const rawName = str(body['FunctionName']);
  if (!rawName) throw fail(400, 'ValidationException', `1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null`);
  const target = resolveTarget(caller, region, rawName, undefined);
  unqualified(target);
  check(ctx, caller, 'lambda:CreateFunction', target.unqualifiedArn, target.region, target.accountId);
  const input = body as ConfigInput & { Code?: CodeInput; Publish?: unknown; PackageType?: unknown };
  if (input.Code === undefined || typeof input.Code !== 'object') throw fail(400, 'ValidationException', `1 validation error detected: Value null at 'code' failed to satisfy constraint: Member must not be null`);
  if (input.PackageType !== undefined && input.PackageType !== 'Zip') throw fail(400, 'InvalidParameterValueException', 'The emulator deploys Zip packages only (PackageType Image is not modelled).');
  validateConfig(input, true);
  if (ctx.state.findFunction('aws', target.accountId, target.region, '', target.name)) throw fail(409, 'ResourceConflictException', `Function already exist: ${target.name}`);
  const roleArn = input.Role as string;
  checkRole(ctx, caller, roleArn);
  const pkg = readPackage(ctx, caller, target.region, input.Code, 'CreateFunction');
  const { behaviour, failure } = unpack(pkg.zip);
  checkCodeStorage(ctx, target, pkg.zip.length);
  const now = ctx.clock.now();
  const def = ctx.state.putFunction(
    newFunctionDef(
      {
        cloud: 'aws',
        accountId: target.accountId,
        region: target.region,
        name: target.name,
        namespace: 'default',
        service: 'default',
        runtime: input.Runtime as string,
        handler: input.Handler as string,
        memoryMb: (input.MemorySize as number | undefined) ?? 128,
        timeoutSeconds: (input.Timeout as number | undefined) ?? 3,
        behaviour: behaviour ?? { type: 'echo' },
        lifecycle: 'pending',
        code: codeOf(pkg),
        environment: { ...((input.Environment?.Variables as Record<string, string> | undefined) ?? {}) },
        roleArn,
        description: str(input.Description) ?? '',
      },
      now,
    ),
  );
  beginChange(ctx, def, { kind: 'create', ...(failure ? { failure } : {}) });
  const out = input.Publish === true ? publish(def, caller.account.partition) : configuration(def, caller.account.partition);
  return json(201, out);
}

/** PUT /2015-03-31/functions/{name}/code */
export function updateFunctionCode(ctx: EmulatorContext, req: EmuRequest, caller: Caller, target: Target): EmuResponse {
  unqualified(target);
  check(ctx, caller, 'lambda:UpdateFunctionCode', target.arn, target.region, target.accountId);
  const body = parseBody(req) as CodeInput & { Publish?: unknown; DryRun?: unknown; RevisionId?: unknown };
  const { def } = findFunction(ctx, target);
  refuseWhileBusy(def, target);
  checkRevision(def, body.RevisionId);
  const pkg = readPackage(ctx, caller, target.region, body, 'UpdateFunctionCode');
  const { behaviour, failure } = unpack(pkg.zip);
  checkCodeStorage(ctx, target, pkg.zip.length, def);
  if (body.DryRun === true) return json(200, configuration(def, caller.account.partition));
  const previousCode = def.code;
  def.code = codeOf(pkg);
  beginChange(ctx, def, { kind: 'update', ...(behaviour ? { behaviour } : {}), ...(previousCode ? { previousCode } : {}), ...(failure ? { failure } : {}) });
  return json(200, body.Publish === true ? publish(def, caller.account.partition) : configuration(def, caller.account.partition));
}

/** PUT /2015-03-31/functions/{name}/configuration */
export function updateFunctionConfiguration(ctx: EmulatorContext, req: EmuRequest, caller: Caller, target: Target): EmuResponse {
  unqualified(target);
  check(ctx, caller, 'lambda:UpdateFunctionConfiguration', target.arn, target.region, target.accountId);
  const input = parseBody(req) as ConfigInput;
  const { def } = findFunction(ctx, target);
  validateConfig(input, false);
  refuseWhileBusy(def, target);
  checkRevision(def, input.RevisionId);
  if (typeof input.Role === 'string') checkRole(ctx, caller, input.Role);
  if (typeof input.Role === 'string') def.roleArn = input.Role;
  if (typeof input.Runtime === 'string') def.runtime = input.Runtime;
  if (typeof input.Handler === 'string') def.handler = input.Handler;
  if (typeof input.MemorySize === 'number') def.memoryMb = input.MemorySize;
  if (typeof input.Timeout === 'number') def.timeoutSeconds = input.Timeout;
  if (typeof input.Description === 'string') def.description = input.Description;
  // Environment replaces every variable; `{}` (or no Variables) clears them.
  if (input.Environment !== undefined) def.environment = { ...((input.Environment.Variables as Record<string, string> | undefined) ?? {}) };
  beginChange(ctx, def, { kind: 'update' });
  return json(200, configuration(def, caller.account.partition));
}

/** POST /2015-03-31/functions/{name}/versions */
export function publishVersion(ctx: EmulatorContext, req: EmuRequest, caller: Caller, target: Target): EmuResponse {
  unqualified(target);
  check(ctx, caller, 'lambda:PublishVersion', target.arn, target.region, target.accountId);
  const body = parseBody(req);
  const { def } = findFunction(ctx, target);
  refuseWhileBusy(def, target);
  if (def.lifecycle === 'failed') throw fail(409, 'ResourceConflictException', 'The operation cannot be performed at this time. The function is currently in the following state: Failed');
  checkRevision(def, body['RevisionId']);
  const given = body['CodeSha256'];
  const current = codeSha256(def);
  if (given !== undefined && given !== current) {
    throw fail(400, 'InvalidParameterValueException', `CodeSHA256 (${String(given)}) is different from current CodeSHA256 in $LATEST (${current}). Please try again with the CodeSHA256 in $LATEST.`);
  }
  return json(201, publish(def, caller.account.partition, str(body['Description'])));
}

/** DELETE /2015-03-31/functions/{name}[?Qualifier=N] */
export function deleteFunction(ctx: EmulatorContext, caller: Caller, target: Target): EmuResponse {
  check(ctx, caller, 'lambda:DeleteFunction', target.arn, target.region, target.accountId);
  if (target.qualifier === '$LATEST') throw fail(400, 'InvalidParameterValueException', '$LATEST version cannot be deleted without deleting the function.');
  const { def } = findFunction(ctx, target);
  if (target.qualifier !== undefined) {
    def.versions = def.versions.filter((v) => v !== target.qualifier);
    recordOf(def).published.delete(target.qualifier);
  } else {
    ctx.state.functions.delete(State.functionKey('aws', def.accountId, def.region, '', def.name));
  }
  return { status: 204, headers: { 'x-amzn-requestid': ids.requestId() }, body: '' };
}

/** GET /2015-03-31/functions/{name}/configuration */
export function getFunctionConfiguration(ctx: EmulatorContext, caller: Caller, target: Target): EmuResponse {
  check(ctx, caller, 'lambda:GetFunctionConfiguration', target.arn, target.region, target.accountId);
  const { def, version } = findFunction(ctx, target);
  return json(200, configuration(def, caller.account.partition, version));
}

/** Pending (being created) and failed functions cannot be invoked; an update in progress still runs the old code. */
export function refuseInvokeUnlessReady(def: FunctionDef): void {
  settle(def);
  if (recordOf(def).change?.kind === 'create') throw fail(409, 'ResourceConflictException', 'The operation cannot be performed at this time. The function is currently in the following state: Pending');
  if (def.lifecycle === 'failed') throw fail(409, 'ResourceConflictException', 'The operation cannot be performed at this time. The function is currently in the following state: Failed');
}

/** The behaviour a version runs: a published version keeps the code it was published with. */
export function behaviourOfVersion(def: FunctionDef, version: string): FunctionBehaviour {
  return recordOf(def).published.get(version)?.behaviour ?? def.behaviour;
}
