import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService, AuditTarget } from '../audit/audit.service';
import { AuthContext } from '../auth/auth-context';
import { checkFunctionName } from '../cloud-identifiers';
import { IDENTIFIER_PATTERN } from '../common/http/identifier';
import { Sensitive } from '../common/logging/sensitive';
import { FieldError, TetherError } from '../common/problem/tether-error';
import { ConnectionEntity } from '../connections/connection.entity';
import { DeployedFunction, FunctionRef, FunctionSpec } from '../providers';
import { Keyring, SealError } from '../secrets/keyring';
import { SecretsService } from '../secrets/secrets.service';
import { describeFunction } from '../connections/connection-use';
import { checkCodeKey } from './code-key';
import { codeBucketOf, DeployableConnections, DeploymentTarget } from './deployable-connections';
import { DeploymentCallContext, deploymentProblem } from './deployment-errors';
import { configurationHash, DesiredConfiguration, planDeployment } from './deployment-fingerprint';
import { checkFunctionSettings, ENVIRONMENT_NAME } from './deployment-rules';
import { DEFAULT_WAIT, waitUntilSettled, WaitPolicy } from './deployment-wait';
import {
  DEFAULT_FUNCTION_TIMEOUT_SECONDS,
  DEFAULT_MEMORY_MB,
  DEFAULT_WAIT_SECONDS,
  DeployFunctionRequest,
  DeployFunctionResponse,
  EnvironmentValue,
  FunctionListQuery,
  FunctionPageResponse,
  FunctionResponse,
} from './dto/deployments.dto';
import { FunctionDeploymentEntity } from './function-deployment.entity';

/** Binds a sealed environment to its row: copied to another row or workspace, it no longer opens. */
export function deploymentAssociatedData(workspaceId: string, deploymentId: string): string {
  return `tether/function-deployment/v1/${workspaceId}/${deploymentId}`;
}

/** What a row keeps sealed: the environment as the caller sent it, and the key of its configuration-hash HMAC. */
interface SealedEnvironment {
  macKey: string;
  environment: Record<string, EnvironmentValue>;
}

const MAX_ENVIRONMENT_VARIABLES = 64;
const MAX_ENVIRONMENT_VALUE_CHARS = 4096;

/**
 * Creates, updates, reads and drops functions in the customer's cloud from packages in the code
 * bucket. A deploy compares Tether's record, the package checksum, the configuration hash and the
 * cloud's current state first, and writes nothing when they agree. No transaction is open while a
 * cloud is called; the record and its audit event commit together afterwards.
 */
@Injectable()
export class DeploymentsService {
  /** Replaced by tests that must not wait for real backoff. */
  waitPolicy: WaitPolicy = DEFAULT_WAIT;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(DeployableConnections) private readonly targets: DeployableConnections,
    @Inject(SecretsService) private readonly secrets: SecretsService,
    @Inject(Keyring) private readonly keyring: Keyring,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async deploy(auth: AuthContext, idOrName: string, functionName: string, request: DeployFunctionRequest): Promise<DeployFunctionResponse> {
    const target: AuditTarget = { action: 'function.deploy', targetType: 'function', detail: {} };
    try {
      const deployTarget = await this.targets.resolve(auth, idOrName, target, 'write');
      const { connection } = deployTarget;
      const config = this.configurationOf(connection, request);
      this.refuseInvalid(connection, functionName, request, config);
      const ref = refOf(connection, functionName);
      Object.assign(target, { targetId: functionName });
      Object.assign(target.detail as object, {
        function: functionName,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        codeKey: request.code.key,
        runtime: config.runtime,
        handler: config.handler,
        memoryMb: config.memoryMb,
        timeoutSeconds: config.timeoutSeconds,
        environmentNames: Object.keys(request.environment ?? {}).sort(),
        publish: request.publish === true,
      });
      const environment = await this.resolveEnvironment(auth.workspaceId, request.environment ?? {});
      const outcome = await this.apply(deployTarget, ref, request, { ...config, environment: revealAll(environment) }, environment, target);
      await this.dataSource.transaction(async (manager) => {
        if (outcome.record) await outcome.record(manager);
        await this.audit.record(manager, auth, target);
      });
      return outcome.response;
    } catch (error) {
      await this.audit.recordFailure(auth, target, error);
      throw error;
    }
  }

  /** The cloud side of a deploy: compare, then create or update, wait, publish. */
  private async apply(
    { connection, codeBucket, deployer, credentials }: DeploymentTarget,
    ref: FunctionRef,
    request: DeployFunctionRequest,
    config: DesiredConfiguration,
    environment: Record<string, Sensitive<string>>,
    target: AuditTarget,
  ): Promise<{ response: DeployFunctionResponse; record?: (manager: EntityManager) => Promise<void> }> {
    const bucket = codeBucketOf(connection);
    const context: DeploymentCallContext = { what: describeFunction(connection, ref.functionName), notFound: 'function', ...(config.executionRoleArn ? { executionRoleArn: config.executionRoleArn } : {}) };
    const cloud = <T>(call: Promise<T>, notFound: DeploymentCallContext['notFound'] = 'function') =>
      call.catch((error: unknown) => {
        throw deploymentProblem(error, { ...context, notFound });
      });
    const creds = await credentials();
    const stored = await cloud(codeBucket.headObject(creds, connection.region, bucket, request.code.key), 'package');
    if (!stored) {
      throw new TetherError('code-package-not-found', `The code bucket ${bucket} has no object '${request.code.key}'; upload it first with PUT /connections/${connection.name}/code/${request.code.key}.`, {
        errors: [{ field: 'code.key', message: `names no object in bucket ${bucket}` }],
      });
    }
    const packageSha256 = stored.sha256;
    Object.assign(target.detail as object, { codeSha256: packageSha256 ?? null, codeSize: stored.size });
    const current = await cloud(deployer.getFunction(creds, ref));
    const recorded = await this.recordOf(connection, ref);
    const macKey = this.macKeyOf(recorded) ?? randomBytes(32);
    const hash = configurationHash(config, macKey);
    const plan = planDeployment(recorded ?? undefined, { packageSha256, configurationHash: hash, config }, current);
    const answer = (fn: DeployedFunction, version: string | null, changed: boolean): DeployFunctionResponse => ({
      name: fn.name,
      state: fn.state,
      runtime: fn.runtime,
      handler: fn.handler,
      codeSha256: packageSha256 ?? null,
      version,
      changed,
    });

    if (plan.action === 'unchanged' && current) {
      Object.assign(target.detail as object, { outcome: 'unchanged' });
      // Publishing the same code and configuration again would only hand back the same version.
      if (!request.publish || recorded?.version) return { response: answer(current, request.publish ? (recorded?.version ?? null) : null, false) };
      const version = await cloud(deployer.publishVersion(creds, ref));
      Object.assign(target.detail as object, { version });
      return { response: answer(current, version, false), record: (manager) => manager.getRepository(FunctionDeploymentEntity).update({ id: recorded!.id }, { version }).then(() => undefined) };
    }

    const spec: FunctionSpec = {
      ...ref,
      runtime: config.runtime,
      handler: config.handler,
      memoryMb: config.memoryMb,
      timeoutSeconds: config.timeoutSeconds,
      environment,
      code: { bucket, key: request.code.key },
      ...(config.executionRoleArn ? { executionRoleArn: config.executionRoleArn } : {}),
      ...(config.description !== undefined ? { description: config.description } : {}),
    };
    let written: DeployedFunction;
    if (plan.action === 'create') {
      Object.assign(target.detail as object, { outcome: 'created' });
      written = await cloud(deployer.createFunction(creds, spec), 'package');
    } else {
      const update = plan.action === 'update' ? plan.update : { code: true, configuration: true };
      Object.assign(target.detail as object, { outcome: 'updated', updated: Object.entries(update).filter(([, yes]) => yes).map(([part]) => part) });
      written = await cloud(deployer.updateFunction(creds, spec, update), 'package');
    }
    const waitSeconds = request.waitSeconds ?? DEFAULT_WAIT_SECONDS;
    const settled = await waitUntilSettled(() => cloud(deployer.getFunction(creds, ref)), written, waitSeconds * 1000, this.waitPolicy);
    if (!settled.settled) {
      throw new TetherError('function-deploy-timeout', `${context.what} was still pending after ${waitSeconds} s; read it with GET /connections/${connection.name}/functions/${ref.functionName}, or deploy again with a larger waitSeconds.`, { waitSeconds });
    }
    const ready = settled.fn;
    if (ready.state !== 'active') {
      throw new TetherError('function-deploy-failed', `The cloud reports ${context.what} as ${ready.state}: ${ready.stateReason?.slice(0, 1000) ?? 'no reason given'}. Fix the package or settings named there and deploy again.`, {
        state: ready.state,
        stateReason: ready.stateReason ?? null,
      });
    }
    const version = request.publish ? await cloud(deployer.publishVersion(creds, ref)) : null;
    if (version) Object.assign(target.detail as object, { version });
    const record = (manager: EntityManager) =>
      this.saveRecord(manager, connection, ref, {
        runtime: config.runtime,
        handler: config.handler,
        memoryMb: config.memoryMb,
        timeoutSeconds: config.timeoutSeconds,
        environmentNames: Object.keys(config.environment).sort(),
        codeKey: request.code.key,
        // A package without Tether's checksum is recorded as unknown: the next deploy rewrites its code.
        packageSha256: packageSha256 ?? '',
        configurationHash: hash,
        cloudCodeHash: ready.cloudCodeHash ?? null,
        cloudLastModified: ready.lastModified ?? null,
        // A version published for the previous code or configuration no longer describes this one.
        version,
        sealedForm: { macKey: macKey.toString('base64'), environment: request.environment ?? {} },
      });
    return { response: answer(ready, version, true), record };
  }

  async read(auth: AuthContext, idOrName: string, functionName: string): Promise<FunctionResponse> {
    const { connection, deployer, credentials } = await this.targets.resolve(auth, idOrName, { action: 'function.read', targetType: 'function' }, 'read');
    const ref = this.checkedRef(connection, functionName);
    const fn = await deployer.getFunction(await credentials(), ref).catch((error: unknown) => {
      throw deploymentProblem(error, { what: describeFunction(connection, functionName), notFound: 'function' });
    });
    if (!fn) throw new TetherError('function-not-found', `There is no ${describeFunction(connection, functionName)}.`);
    const records = await this.recordsOf(connection, ref.namespace, [fn.name]);
    return toFunctionResponse(fn, records.get(fn.name));
  }

  async list(auth: AuthContext, idOrName: string, query: FunctionListQuery): Promise<FunctionPageResponse> {
    const { connection, deployer, credentials } = await this.targets.resolve(auth, idOrName, { action: 'function.list', targetType: 'function' }, 'read');
    const namespace = namespaceOf(connection);
    const page = await deployer.listFunctions(await credentials(), connection.region, namespace, query.cursor).catch((error: unknown) => {
      throw deploymentProblem(error, { what: `the functions of ${describeFunction(connection)}`, notFound: 'function' });
    });
    const records = await this.recordsOf(connection, namespace, page.functions.map((f) => f.name));
    return { items: page.functions.map((fn) => toFunctionResponse(fn, records.get(fn.name))), nextCursor: page.next ?? null };
  }

  /** Drops the function in the cloud and Tether's record of it; a function the cloud does not have is a 404. */
  async drop(auth: AuthContext, idOrName: string, functionName: string): Promise<void> {
    const target: AuditTarget = { action: 'function.drop', targetType: 'function', detail: {} };
    try {
      const { connection, deployer, credentials } = await this.targets.resolve(auth, idOrName, target, 'write');
      const ref = this.checkedRef(connection, functionName);
      Object.assign(target, { targetId: functionName });
      Object.assign(target.detail as object, { function: functionName, ...(ref.namespace ? { namespace: ref.namespace } : {}) });
      const where = { connectionId: connection.id, namespace: ref.namespace ?? '', functionName };
      let missing = false;
      await deployer.deleteFunction(await credentials(), ref).catch((error: unknown) => {
        const problem = deploymentProblem(error, { what: describeFunction(connection, functionName), notFound: 'function' });
        if (problem instanceof TetherError && problem.code === 'function-not-found') missing = true;
        else throw problem;
      });
      await this.dataSource.transaction(async (manager) => {
        const repository = manager.getRepository(FunctionDeploymentEntity);
        const row = await repository.findOne({ where });
        if (row) {
          Object.assign(target.detail as object, { codeKey: row.codeKey, codeSha256: row.packageSha256 || null });
          await repository.delete({ id: row.id });
        }
        if (!missing) await this.audit.record(manager, auth, target);
      });
      // A function dropped outside Tether: its stale record is gone, and the caller learns it was not there.
      if (missing) throw new TetherError('function-not-found', `There is no ${describeFunction(connection, functionName)}.`);
    } catch (error) {
      await this.audit.recordFailure(auth, target, error);
      throw error;
    }
  }

  /** The configuration a request asks for, defaults applied; the environment is filled in after checks. */
  private configurationOf(connection: ConnectionEntity, request: DeployFunctionRequest): Omit<DesiredConfiguration, 'environment'> {
    const executionRoleArn = connection.functions?.executionRoleArn;
    return {
      runtime: request.runtime,
      handler: request.handler,
      memoryMb: request.memoryMb ?? DEFAULT_MEMORY_MB,
      timeoutSeconds: request.timeoutSeconds ?? DEFAULT_FUNCTION_TIMEOUT_SECONDS,
      ...(request.description !== undefined ? { description: request.description } : {}),
      ...(executionRoleArn ? { executionRoleArn } : {}),
    };
  }

  /** Every field the connection's cloud would refuse, in one 400. */
  private refuseInvalid(connection: ConnectionEntity, functionName: string, request: DeployFunctionRequest, config: Omit<DesiredConfiguration, 'environment'>): void {
    const errors: FieldError[] = checkFunctionSettings(connection.provider, { functionName, ...config });
    const key = checkCodeKey(request.code.key);
    if (!key.ok) errors.push({ field: 'code.key', message: key.message });
    const entries = Object.entries(request.environment ?? {});
    if (entries.length > MAX_ENVIRONMENT_VARIABLES) errors.push({ field: 'environment', message: `must hold at most ${MAX_ENVIRONMENT_VARIABLES} variables` });
    for (const [name, value] of entries.slice(0, MAX_ENVIRONMENT_VARIABLES)) {
      const field = ENVIRONMENT_NAME.test(name) && name.length <= 128 ? `environment.${name}` : 'environment';
      if (field === 'environment') errors.push({ field, message: `has a variable name that is not [A-Za-z_][A-Za-z0-9_]* of at most 128 characters` });
      else if (typeof value === 'string') {
        if (value.length > MAX_ENVIRONMENT_VALUE_CHARS) errors.push({ field, message: `must be at most ${MAX_ENVIRONMENT_VALUE_CHARS} characters` });
      } else if (!isSecretRef(value)) errors.push({ field, message: 'must be a string or {"secret": "<secret name>"}' });
    }
    if (connection.provider === 'aliyun' && !connection.functions?.namespace) {
      errors.push({ field: 'functions.namespace', message: 'must be set on the connection: Function Compute 2.0 deploys into a service, which Tether creates on first deploy' });
    }
    if (errors.length > 0) throw new TetherError('invalid-request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }

  /** Opens `{secret}` references; an unknown secret is a 422 naming the variable. */
  private async resolveEnvironment(workspaceId: string, environment: Record<string, EnvironmentValue>): Promise<Record<string, Sensitive<string>>> {
    const resolved: Record<string, Sensitive<string>> = {};
    const missing: FieldError[] = [];
    for (const [name, value] of Object.entries(environment)) {
      if (typeof value === 'string') {
        resolved[name] = new Sensitive(value);
        continue;
      }
      try {
        const row = await this.secrets.find(this.dataSource.manager, workspaceId, value.secret);
        resolved[name] = await this.secrets.reveal(workspaceId, row.id);
      } catch (error) {
        if (!(error instanceof TetherError && error.code === 'not-found')) throw error;
        missing.push({ field: `environment.${name}`, message: `names secret '${value.secret}', which does not exist in this workspace; create it with POST /secrets` });
      }
    }
    if (missing.length > 0) throw new TetherError('unprocessable', missing.map((e) => `${e.field}: ${e.message}`).join('; '), { errors: missing });
    return resolved;
  }

  private checkedRef(connection: ConnectionEntity, functionName: string): FunctionRef {
    const check = checkFunctionName(connection.provider, functionName);
    if (!check.ok) throw TetherError.field('function', check.message);
    return refOf(connection, functionName);
  }

  private recordOf(connection: ConnectionEntity, ref: FunctionRef): Promise<FunctionDeploymentEntity | null> {
    return this.dataSource.getRepository(FunctionDeploymentEntity).findOne({ where: { connectionId: connection.id, namespace: ref.namespace ?? '', functionName: ref.functionName } });
  }

  private async recordsOf(connection: ConnectionEntity, namespace: string | undefined, names: string[]): Promise<Map<string, FunctionDeploymentEntity>> {
    if (names.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(FunctionDeploymentEntity).find({ where: { connectionId: connection.id, namespace: namespace ?? '', functionName: In(names) } });
    return new Map(rows.map((row) => [row.functionName, row]));
  }

  /** The HMAC key sealed in the row; none when there is no row or it no longer opens (then the next deploy rewrites the configuration). */
  private macKeyOf(row: FunctionDeploymentEntity | null): Buffer | undefined {
    if (!row) return undefined;
    try {
      const form = JSON.parse(this.keyring.open(row, deploymentAssociatedData(row.workspaceId, row.id)).toString('utf8')) as SealedEnvironment;
      return Buffer.from(form.macKey, 'base64');
    } catch (error) {
      if (error instanceof SealError || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  /** Inserts or rewrites the function's record under a per-function lock, sealing with the row's own id. */
  private async saveRecord(
    manager: EntityManager,
    connection: ConnectionEntity,
    ref: FunctionRef,
    fields: Omit<FunctionDeploymentEntity, 'id' | 'workspaceId' | 'connectionId' | 'namespace' | 'functionName' | 'keyId' | 'sealed' | 'createdAt' | 'updatedAt'> & { sealedForm: SealedEnvironment },
  ): Promise<void> {
    const namespace = ref.namespace ?? '';
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`function-deployment:${connection.id}:${namespace}:${ref.functionName}`]);
    const repository = manager.getRepository(FunctionDeploymentEntity);
    const existing = await repository.findOne({ where: { connectionId: connection.id, namespace, functionName: ref.functionName } });
    const id = existing?.id ?? randomUUID();
    const { sealedForm, ...columns } = fields;
    const { keyId, sealed } = this.keyring.seal(Buffer.from(JSON.stringify(sealedForm), 'utf8'), deploymentAssociatedData(connection.workspaceId, id));
    await repository.save(repository.create({ ...(existing ?? {}), ...columns, id, workspaceId: connection.workspaceId, connectionId: connection.id, namespace, functionName: ref.functionName, keyId, sealed }));
  }
}

function isSecretRef(value: unknown): value is { secret: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'secret' && typeof (value as { secret: unknown }).secret === 'string' && IDENTIFIER_PATTERN.test((value as { secret: string }).secret);
}

/** Plain values for the configuration hash only; they never leave this module. */
function revealAll(environment: Record<string, Sensitive<string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, value.reveal()]));
}

/** Lambda has no namespace; FC deploys into the connection's service; SCF into its namespace, `default` when unset. */
function namespaceOf(connection: ConnectionEntity): string | undefined {
  if (connection.provider === 'aws') return undefined;
  if (connection.provider === 'tencent') return connection.functions?.namespace ?? 'default';
  return connection.functions?.namespace;
}

function refOf(connection: ConnectionEntity, functionName: string): FunctionRef {
  const namespace = namespaceOf(connection);
  return { region: connection.region, functionName, ...(namespace ? { namespace } : {}) };
}


function toFunctionResponse(fn: DeployedFunction, record: FunctionDeploymentEntity | undefined): FunctionResponse {
  return {
    name: fn.name,
    ...(fn.namespace ? { namespace: fn.namespace } : {}),
    state: fn.state,
    ...(fn.stateReason ? { stateReason: fn.stateReason } : {}),
    runtime: fn.runtime,
    handler: fn.handler,
    memoryMb: fn.memoryMb,
    timeoutSeconds: fn.timeoutSeconds,
    cloudCodeHash: fn.cloudCodeHash ?? null,
    codeSize: fn.codeSize ?? null,
    lastModified: fn.lastModified ?? null,
    environmentKeys: [...fn.environmentKeys].sort(),
    ...(fn.executionRoleArn ? { executionRoleArn: fn.executionRoleArn } : {}),
    deployment: record ? { codeKey: record.codeKey, codeSha256: record.packageSha256 || null, version: record.version, deployedAt: record.updatedAt.toISOString() } : null,
  };
}
