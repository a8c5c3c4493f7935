import type { GetFunctionResponse, ListFunctionsResponse, PublishVersionResponse } from 'tencentcloud-sdk-nodejs/tencentcloud/services/scf/v20180416/scf_models';
import { parseCosBucket, parseTencentRoleArn } from '../../cloud-identifiers/tencent';
import type { CloudCredentials } from '../cloud-function-provider';
import type { DeployedFunction, FunctionDeployer, FunctionPage, FunctionRef, FunctionSpec, FunctionState, FunctionUpdate } from '../deployment';
import { isProviderError, ProviderError } from '../provider-error';

/** One SCF API call: the provider signs it, bounds it and maps its errors. */
export type ScfCall = <T extends { RequestId?: string }>(operation: string, region: string, creds: CloudCredentials, action: string, params: Record<string, unknown>) => Promise<T>;

export interface TencentDeploymentOptions {
  /** How long an update waits for the function to leave Updating before the next change (SCF refuses changes meanwhile). */
  settleTimeoutMs?: number;
  settlePollMs?: number;
}

// ListFunctions pages; each listed function is then read with GetFunction (the list has no handler, memory or timeout).
const PAGE = 20;

/** SCF `Status` in neutral words. */
export function functionStateOf(status: string | undefined): FunctionState {
  switch (status) {
    case 'Active':
      return 'active';
    case 'CreateFailed':
    case 'UpdateFailed':
    case 'PublishFailed':
    case 'DeleteFailed':
      return 'failed';
    default:
      // Creating, Updating, Publishing, Deleting: a change is under way.
      return 'pending';
  }
}

/**
 * SCF deployment: CreateFunction from the code bucket, UpdateFunctionConfiguration then
 * UpdateFunctionCode (SCF refuses a change while another runs, and only UpdateFunctionCode takes
 * the handler), PublishVersion, DeleteFunction, ListFunctions. Environment values are revealed
 * only into the request and never read back: DeployedFunction carries their names.
 */
export class TencentDeployment implements FunctionDeployer {
  private readonly settleTimeoutMs: number;
  private readonly settlePollMs: number;

  constructor(private readonly scf: ScfCall, options: TencentDeploymentOptions = {}) {
    this.settleTimeoutMs = options.settleTimeoutMs ?? 60_000;
    this.settlePollMs = options.settlePollMs ?? 250;
  }

  async getFunction(creds: CloudCredentials, ref: FunctionRef): Promise<DeployedFunction | undefined> {
    try {
      const out = await this.scf<GetFunctionResponse>('scf:GetFunction', ref.region, creds, 'GetFunction', { FunctionName: ref.functionName, Namespace: namespaceOf(ref) });
      return deployed(out, ref);
    } catch (error) {
      if (isProviderError(error) && error.kind === 'not_found' && error.cloudCode?.startsWith('ResourceNotFound.Function')) return undefined;
      throw error;
    }
  }

  async createFunction(creds: CloudCredentials, spec: FunctionSpec): Promise<DeployedFunction> {
    await this.scf('scf:CreateFunction', spec.region, creds, 'CreateFunction', {
      FunctionName: spec.functionName,
      Namespace: namespaceOf(spec),
      Runtime: spec.runtime,
      Handler: spec.handler,
      MemorySize: spec.memoryMb,
      Timeout: spec.timeoutSeconds,
      Environment: environmentOf(spec),
      Code: codeOf(spec, 'scf:CreateFunction'),
      ...roleOf(spec, 'scf:CreateFunction'),
      ...(spec.description !== undefined ? { Description: spec.description } : {}),
    });
    return this.reread(creds, spec, 'scf:CreateFunction');
  }

  async updateFunction(creds: CloudCredentials, spec: FunctionSpec, update: FunctionUpdate): Promise<DeployedFunction> {
    let rewriteCode = update.code;
    if (update.configuration) {
      await this.scf('scf:UpdateFunctionConfiguration', spec.region, creds, 'UpdateFunctionConfiguration', {
        FunctionName: spec.functionName,
        Namespace: namespaceOf(spec),
        Runtime: spec.runtime,
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        Environment: environmentOf(spec),
        ...roleOf(spec, 'scf:UpdateFunctionConfiguration'),
        ...(spec.description !== undefined ? { Description: spec.description } : {}),
      });
      const settled = await this.settle(creds, spec);
      // The handler is part of the code in SCF: a changed handler needs UpdateFunctionCode.
      rewriteCode ||= settled.handler !== spec.handler;
    }
    if (rewriteCode) {
      await this.scf('scf:UpdateFunctionCode', spec.region, creds, 'UpdateFunctionCode', {
        FunctionName: spec.functionName,
        Namespace: namespaceOf(spec),
        Handler: spec.handler,
        ...codeOf(spec, 'scf:UpdateFunctionCode'),
      });
    }
    return this.reread(creds, spec, 'scf:UpdateFunctionCode');
  }

  async publishVersion(creds: CloudCredentials, ref: FunctionRef): Promise<string> {
    const out = await this.scf<PublishVersionResponse>('scf:PublishVersion', ref.region, creds, 'PublishVersion', { FunctionName: ref.functionName, Namespace: namespaceOf(ref) });
    if (!out.FunctionVersion) throw new ProviderError({ kind: 'unavailable', provider: 'tencent', operation: 'scf:PublishVersion', message: 'Tencent Cloud scf:PublishVersion answered without a FunctionVersion.' });
    return out.FunctionVersion;
  }

  async deleteFunction(creds: CloudCredentials, ref: FunctionRef): Promise<void> {
    await this.scf('scf:DeleteFunction', ref.region, creds, 'DeleteFunction', { FunctionName: ref.functionName, Namespace: namespaceOf(ref) });
  }

  /** `next` is the ListFunctions offset of the following page. */
  async listFunctions(creds: CloudCredentials, region: string, namespace: string | undefined, next?: string): Promise<FunctionPage> {
    const offset = next === undefined ? 0 : Number(next);
    if (!Number.isInteger(offset) || offset < 0) throw new ProviderError({ kind: 'invalid_request', provider: 'tencent', operation: 'scf:ListFunctions', message: `The page marker ${next} is not one Tether handed out.` });
    const ns = namespace ?? 'default';
    const out = await this.scf<ListFunctionsResponse>('scf:ListFunctions', region, creds, 'ListFunctions', { Namespace: ns, Offset: offset, Limit: PAGE });
    const listed = out.Functions ?? [];
    const read = await Promise.all(listed.map((f) => (f.FunctionName ? this.getFunction(creds, { region, namespace: ns, functionName: f.FunctionName }) : undefined)));
    // A function dropped between the list and its read is simply gone.
    const functions = read.filter((f): f is DeployedFunction => f !== undefined);
    const end = offset + listed.length;
    return { functions, ...(listed.length > 0 && end < (out.TotalCount ?? 0) ? { next: String(end) } : {}) };
  }

  private async reread(creds: CloudCredentials, spec: FunctionSpec, operation: string): Promise<DeployedFunction> {
    // The role was deployed from its ARN, whose uin names the owner: report it back the same way.
    const owner = spec.accountId ?? (spec.executionRoleArn ? /^qcs::cam::uin\/(\d+):/.exec(spec.executionRoleArn)?.[1] : undefined);
    const now = await this.getFunction(creds, { ...spec, ...(owner ? { accountId: owner } : {}) });
    if (!now) throw new ProviderError({ kind: 'unavailable', provider: 'tencent', operation, message: `Tencent Cloud ${operation} succeeded but function ${spec.functionName} cannot be read back.` });
    return now;
  }

  /** Waits until the function is no longer pending; a failed change is reported as it is. */
  private async settle(creds: CloudCredentials, spec: FunctionSpec): Promise<DeployedFunction> {
    const deadline = Date.now() + this.settleTimeoutMs;
    for (;;) {
      const now = await this.reread(creds, spec, 'scf:GetFunction');
      if (now.state !== 'pending') return now;
      if (Date.now() >= deadline) {
        throw new ProviderError({ kind: 'conflict', provider: 'tencent', operation: 'scf:UpdateFunctionConfiguration', message: `SCF function ${spec.functionName} is still updating after ${this.settleTimeoutMs} ms; deploy again once it is Active.` });
      }
      await new Promise((resolve) => setTimeout(resolve, this.settlePollMs));
    }
  }
}

function namespaceOf(ref: FunctionRef): string {
  return ref.namespace ?? 'default';
}

/** SCF takes the bucket without its -APPID suffix and the object path with a leading `/`. */
function codeOf(spec: FunctionSpec, operation: string): { CosBucketName: string; CosObjectName: string; CosBucketRegion: string } {
  const bucket = parseCosBucket(spec.code.bucket);
  if (!bucket.ok) throw new ProviderError({ kind: 'invalid_request', provider: 'tencent', operation, message: `code package: ${bucket.message}` });
  return { CosBucketName: bucket.value.name, CosObjectName: `/${spec.code.key.replace(/^\/+/, '')}`, CosBucketRegion: spec.region };
}

/** SCF binds the execution role by name (passing it needs cam:PassRole on the role's ARN). */
function roleOf(spec: FunctionSpec, operation: string): { Role?: string } {
  if (!spec.executionRoleArn) return {};
  const role = parseTencentRoleArn(spec.executionRoleArn);
  if (!role.ok) throw new ProviderError({ kind: 'invalid_request', provider: 'tencent', operation, message: `execution role: ${role.message}` });
  return { Role: role.value.roleName };
}

function environmentOf(spec: FunctionSpec): { Variables: Array<{ Key: string; Value: string }> } {
  return { Variables: Object.entries(spec.environment).map(([Key, value]) => ({ Key, Value: value.reveal() })) };
}

function deployed(f: GetFunctionResponse, ref: FunctionRef): DeployedFunction {
  const state = functionStateOf(f.Status);
  const role = f.Role ? (f.Role.startsWith('qcs::cam::') ? f.Role : ref.accountId ? `qcs::cam::uin/${ref.accountId}:roleName/${f.Role}` : undefined) : undefined;
  return {
    name: f.FunctionName ?? ref.functionName,
    namespace: f.Namespace ?? namespaceOf(ref),
    state,
    ...(state !== 'active' && f.StatusDesc ? { stateReason: f.StatusDesc } : {}),
    runtime: f.Runtime ?? '',
    handler: f.Handler ?? '',
    memoryMb: f.MemorySize ?? 0,
    timeoutSeconds: f.Timeout ?? 0,
    ...(f.CodeSize !== undefined ? { codeSize: f.CodeSize } : {}),
    ...(f.ModTime ? { lastModified: f.ModTime } : {}),
    environmentKeys: (f.Environment?.Variables ?? []).map((v) => v.Key ?? '').filter((k) => k !== '').sort(),
    ...(role ? { executionRoleArn: role } : {}),
  };
}
