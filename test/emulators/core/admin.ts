import { createHash } from 'node:crypto';
import { isoSeconds } from './clock';
import { DEFAULT_DEPLOYMENT_SETTINGS, type DeploymentSettings, type EmulatorContext } from './context';
import type { AssumeRoleAttempt, CountersSnapshot } from './counters';
import type { Fault, FaultSpec } from './faults';
import { type EmuRequest, type EmuResponse, json } from './http';
import { ids } from './ids';
import { parsePolicy, type Policy } from './policy';
import { accountPrincipals, CLOUDS, LANGUAGE, type ApiRoute, type Cloud, type FunctionBehaviour, type FunctionDef, type KeyStatus, type Session } from './state';

/** Shapes accepted by the admin API (programmatic and HTTP alike). */
export interface CreateAccountInput {
  cloud: Cloud;
  /** AWS 12 digits, Aliyun uid, Tencent uin; random when omitted. */
  id?: string;
  /** AWS only: `aws` (default), `aws-cn`, `aws-us-gov`. */
  partition?: string;
  name?: string;
  /** Tencent only: the account's APPID (COS bucket names end in `-<appId>`); random `125…` when omitted. */
  appId?: string;
}

export interface CreateUserInput {
  cloud: Cloud;
  account: string;
  name: string;
  path?: string;
  /** Identity policies in the cloud's own language (objects or JSON strings). */
  policies?: unknown[];
  /** The account's root identity (all permissions; AWS and Aliyun refuse it AssumeRole). */
  root?: boolean;
  /** Fixed key id / secret instead of random ones (stable seeds). */
  accessKeyId?: string;
  secret?: string;
}

export interface UserKeys {
  cloud: Cloud;
  account: string;
  arn: string;
  userId: string;
  accessKeyId: string;
  /** AWS secret access key / Aliyun AccessKeySecret / Tencent SecretKey. */
  secret: string;
}

export interface UpdateAccessKeyInput {
  cloud: Cloud;
  accessKeyId: string;
  status?: KeyStatus;
  /** ISO time after which the long-lived key stops working; null clears it. */
  expiresAt?: string | null;
}

export interface CreateRoleInput {
  cloud: Cloud;
  account: string;
  name: string;
  /** AWS IAM path, e.g. `/service/`. */
  path?: string;
  trustPolicy: unknown;
  permissionPolicies?: unknown[];
  /** 3600..43200; default 3600 (AWS, Aliyun) or 43200 (Tencent). */
  maxSessionDurationSeconds?: number;
}

export interface RoleInfo {
  cloud: Cloud;
  account: string;
  name: string;
  arn: string;
  roleId: string;
  maxSessionDurationSeconds: number;
  trustPolicy: unknown;
  permissionPolicies: unknown[];
}

export interface CreateFunctionInput {
  cloud: Cloud;
  account: string;
  region: string;
  name: string;
  /** Tencent namespace (default `default`). */
  namespace?: string;
  /** Aliyun FC service (default `default`). */
  service?: string;
  behaviour?: FunctionBehaviour;
  throttleFirst?: number;
  runtime?: string;
  handler?: string;
  memoryMb?: number;
  timeoutSeconds?: number;
  /** Published versions besides `$LATEST` / `LATEST`. */
  versions?: string[];
  /** alias -> version. */
  aliases?: Record<string, string>;
}

export interface FunctionInfo {
  cloud: Cloud;
  account: string;
  region: string;
  name: string;
  namespace: string;
  service: string;
  /** ARN / resource name as the cloud's policies write it. */
  resource: string;
  behaviour: FunctionBehaviour;
  invocations: number;
}

export interface CreateBucketInput {
  /** S3 (default), OSS or COS. COS names carry the APPID suffix (`code-1250000000`). */
  cloud?: Cloud;
  account: string;
  name: string;
  region: string;
  /** Bucket policy (resource-based), optional. */
  policy?: unknown;
}

export interface PutObjectInput {
  cloud?: Cloud;
  bucket: string;
  key: string;
  /** UTF-8 text, or base64 when `base64` is true. */
  body: string;
  base64?: boolean;
  contentType?: string;
  /** User metadata, names without the cloud's prefix (`{'tether-sha256': hex}`, as `x-amz-meta-*`, `x-oss-meta-*`, `x-cos-meta-*` carry it). */
  metadata?: Record<string, string>;
}

export interface CreateApiInput {
  apiId?: string;
  region: string;
  account: string;
  stage: string;
  routes: ApiRoute[];
  resourcePolicy?: unknown;
}

export interface ApiInfo {
  apiId: string;
  region: string;
  account: string;
  stage: string;
  routes: ApiRoute[];
  /** `https://<apiId>.execute-api.<region>.amazonaws.com/<stage>` as a client would write it. */
  invokeUrl: string;
  /** Same API through the emulator's path addressing: `<emulator>/<apiId>/<stage>`. */
  emulatorUrl: string;
}

/** What the emulator remembers about an issued credential, without its secret. */
export interface SessionInfo {
  cloud: Cloud;
  kind: Session['kind'];
  accessKeyId: string;
  account: string;
  arn: string;
  roleArn?: string;
  sessionName: string;
  externalId?: string;
  sessionPolicy?: unknown;
  sourceIdentity?: string;
  tags: Record<string, string>;
  issuedTo: string;
  issuedAt: string;
  expiresAt: string;
  durationSeconds: number;
  chained: boolean;
}

/** The platform identity Tether runs as, per cloud. */
export interface PlatformSeed {
  aws: UserKeys & { principal: string; partition: string };
  aliyun: UserKeys & { principal: string };
  tencent: UserKeys & { principal: string };
  /** Environment for Tether (SDK keys, endpoint overrides, principals), given the emulator URL. */
  env: Record<string, string>;
}

export const PLATFORM_ACCOUNTS = { aws: '111111111111', aliyun: '1111111111111111', tencent: '100000000001' } as const;

/** Stable platform keys so `npm run emulators` prints the same values every time. */
const PLATFORM_KEYS: Record<Cloud, { accessKeyId: string; secret: string }> = {
  aws: { accessKeyId: 'AKIATETHERPLATFORM01', secret: 'tether-platform-aws-secret-0000000000000' },
  aliyun: { accessKeyId: 'LTAItetherPlatform000001', secret: 'tetherPlatformAliyunSecret0000' },
  tencent: { accessKeyId: 'AKIDtetherPlatform00000000000000001', secret: 'tetherPlatformTencentSecret00001' },
};

const ASSUME_ANY: Record<Cloud, unknown> = {
  aws: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: '*' }] },
  aliyun: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
  tencent: { version: '2.0', statement: [{ effect: 'allow', action: ['name/sts:AssumeRole'], resource: ['*'] }] },
};

function requireCloud(value: unknown): Cloud {
  if (!CLOUDS.includes(value as Cloud)) throw new AdminError(`cloud must be one of ${CLOUDS.join(', ')}`);
  return value as Cloud;
}

export class AdminError extends Error {}

/** The admin surface, in process; the HTTP routes under `/__emulator/` call the same methods. */
export class EmulatorAdmin {
  /** Set once the server listens. */
  baseUrl = '';

  constructor(private readonly ctx: EmulatorContext) {}

  createAccount(input: CreateAccountInput): { cloud: Cloud; id: string; partition: string; principal: string; appId?: string } {
    const account = this.ctx.state.createAccount({ ...input, cloud: requireCloud(input.cloud) });
    return { cloud: account.cloud, id: account.id, partition: account.partition, principal: accountPrincipals(account)[0]!, ...(account.appId ? { appId: account.appId } : {}) };
  }

  createUser(input: CreateUserInput): UserKeys {
    const cloud = requireCloud(input.cloud);
    const { user, key } = this.ctx.state.createUser({ ...input, cloud });
    return { cloud, account: user.accountId, arn: user.arn, userId: user.userId, accessKeyId: key.accessKeyId, secret: key.secret };
  }

  /** A further long-lived key for an existing user. */
  createAccessKey(input: { cloud: Cloud; userArn: string }): UserKeys {
    const cloud = requireCloud(input.cloud);
    const key = this.ctx.state.createAccessKey(cloud, input.userArn);
    const user = this.ctx.state.user(cloud, input.userArn)!;
    return { cloud, account: user.accountId, arn: user.arn, userId: user.userId, accessKeyId: key.accessKeyId, secret: key.secret };
  }

  updateAccessKey(input: UpdateAccessKeyInput): { accessKeyId: string; status: KeyStatus; expiresAt?: string } {
    const key = this.ctx.state.updateAccessKey({ ...input, cloud: requireCloud(input.cloud) });
    return { accessKeyId: key.accessKeyId, status: key.status, expiresAt: key.expiresAt?.toISOString() };
  }

  createRole(input: CreateRoleInput): RoleInfo {
    return this.roleInfo(this.ctx.state.createRole({ ...input, cloud: requireCloud(input.cloud) }).arn, input.cloud);
  }

  putTrustPolicy(input: { cloud: Cloud; roleArn: string; trustPolicy: unknown }): RoleInfo {
    this.ctx.state.putTrustPolicy(requireCloud(input.cloud), input.roleArn, input.trustPolicy);
    return this.roleInfo(input.roleArn, input.cloud);
  }

  putPermissionPolicies(input: { cloud: Cloud; roleArn: string; permissionPolicies: unknown[] }): RoleInfo {
    this.ctx.state.putPermissionPolicies(requireCloud(input.cloud), input.roleArn, input.permissionPolicies);
    return this.roleInfo(input.roleArn, input.cloud);
  }

  role(input: { cloud: Cloud; roleArn: string }): RoleInfo | undefined {
    return this.ctx.state.role(requireCloud(input.cloud), input.roleArn) ? this.roleInfo(input.roleArn, input.cloud) : undefined;
  }

  private roleInfo(arn: string, cloud: Cloud): RoleInfo {
    const role = this.ctx.state.requireRole(cloud, arn);
    return { cloud, account: role.accountId, name: role.name, arn: role.arn, roleId: role.roleId, maxSessionDurationSeconds: role.maxSessionDurationSeconds, trustPolicy: role.rawTrustPolicy, permissionPolicies: role.rawPermissionPolicies };
  }

  createFunction(input: CreateFunctionInput): FunctionInfo {
    const cloud = requireCloud(input.cloud);
    this.ctx.state.requireAccount(cloud, input.account);
    const behaviour = input.behaviour ?? { type: 'echo' };
    if (!['echo', 'rows', 'error', 'sleep', 'reply'].includes(behaviour.type)) throw new AdminError('behaviour.type must be echo, rows, error, sleep or reply');
    const def = this.ctx.state.putFunction({
      cloud,
      accountId: input.account,
      region: input.region,
      name: input.name,
      namespace: input.namespace ?? 'default',
      service: input.service ?? 'default',
      runtime: input.runtime ?? (cloud === 'aws' ? 'nodejs20.x' : cloud === 'aliyun' ? 'nodejs20' : 'Nodejs18.15'),
      handler: input.handler ?? 'index.handler',
      memoryMb: input.memoryMb ?? 128,
      timeoutSeconds: input.timeoutSeconds ?? 3,
      behaviour,
      throttleFirst: input.throttleFirst ?? 0,
      versions: input.versions ?? [],
      aliases: input.aliases ?? {},
      invocations: 0,
      createdAt: this.ctx.clock.now(),
      lastModified: this.ctx.clock.now(),
      lifecycle: 'active',
      environment: {},
    });
    return this.functionInfo(def);
  }

  functions(): FunctionInfo[] {
    return [...this.ctx.state.functions.values()].map((f) => this.functionInfo(f));
  }

  private functionInfo(f: FunctionDef): FunctionInfo {
    const partition = f.cloud === 'aws' ? this.ctx.state.account('aws', f.accountId)?.partition ?? 'aws' : '';
    const resource =
      f.cloud === 'aws'
        ? `arn:${partition}:lambda:${f.region}:${f.accountId}:function:${f.name}`
        : f.cloud === 'aliyun'
          ? `acs:fc:${f.region}:${f.accountId}:services/${f.service}/functions/${f.name}`
          : `qcs::scf:${f.region}:uin/${f.accountId}:namespace/${f.namespace}/function/${f.name}`;
    return { cloud: f.cloud, account: f.accountId, region: f.region, name: f.name, namespace: f.namespace, service: f.service, resource, behaviour: f.behaviour, invocations: f.invocations };
  }

  createBucket(input: CreateBucketInput): { name: string; region: string; account: string; arn: string } {
    const cloud = requireCloud(input.cloud ?? 'aws');
    const account = this.ctx.state.requireAccount(cloud, input.account);
    // OSS names have no dots (clouds.md §4).
    const pattern = cloud === 'aliyun' ? /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/ : /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
    if (!pattern.test(input.name) || input.name.includes('..')) throw new AdminError('invalid bucket name');
    // COS bucket names end in the owner's APPID; a bucket of another APPID could never be this account's.
    if (cloud === 'tencent' && !input.name.endsWith(`-${account.appId}`)) throw new AdminError(`a COS bucket of account ${account.id} is named <name>-${account.appId}`);
    const policy: Policy | undefined = input.policy === undefined ? undefined : parsePolicy(input.policy, LANGUAGE[cloud]);
    this.ctx.state.putBucket({ cloud, accountId: account.id, name: input.name, region: input.region, policy, objects: new Map() });
    const arn = cloud === 'aliyun' ? `acs:oss:*:${account.id}:${input.name}` : `arn:${account.partition}:s3:::${input.name}`;
    return { name: input.name, region: input.region, account: account.id, arn };
  }

  putObject(input: PutObjectInput): { bucket: string; key: string; size: number; etag: string } {
    const bucket = this.ctx.state.bucket(requireCloud(input.cloud ?? 'aws'), input.bucket);
    if (!bucket) throw new AdminError(`no bucket ${input.bucket}`);
    const body = Buffer.from(input.body, input.base64 ? 'base64' : 'utf8');
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    const metadata = input.metadata ? Object.fromEntries(Object.entries(input.metadata).map(([k, v]) => [k.toLowerCase(), v])) : undefined;
    bucket.objects.set(input.key, { key: input.key, body, contentType: input.contentType ?? 'application/octet-stream', lastModified: this.ctx.clock.now(), etag, ...(metadata ? { metadata } : {}) });
    return { bucket: input.bucket, key: input.key, size: body.length, etag };
  }

  createApi(input: CreateApiInput): ApiInfo {
    this.ctx.state.requireAccount('aws', input.account);
    const apiId = input.apiId ?? ids.alnum(10).toLowerCase();
    if (!/^[a-z0-9]+$/.test(apiId)) throw new AdminError('apiId must be lower-case letters and digits');
    if (!Array.isArray(input.routes) || input.routes.length === 0) throw new AdminError('routes must be a non-empty list of {method, path}');
    const resourcePolicy = input.resourcePolicy === undefined ? undefined : parsePolicy(input.resourcePolicy, 'aws');
    this.ctx.state.apis.set(apiId, { apiId, region: input.region, accountId: input.account, stage: input.stage, routes: input.routes, resourcePolicy });
    const partition = this.ctx.state.account('aws', input.account)?.partition;
    const suffix = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    return { apiId, region: input.region, account: input.account, stage: input.stage, routes: input.routes, invokeUrl: `https://${apiId}.execute-api.${input.region}.${suffix}/${input.stage}`, emulatorUrl: `${this.baseUrl}/${apiId}/${input.stage}` };
  }

  /**
   * How deployments behave: `pendingMs` is how long a created or updated function stays pending
   * (0 makes it active at once), `lambdaCodeStorageBytes` the Lambda code storage per account and region.
   */
  configureDeployment(input: Partial<DeploymentSettings>): DeploymentSettings {
    for (const [name, value] of Object.entries(input)) {
      if (!(name in DEFAULT_DEPLOYMENT_SETTINGS)) throw new AdminError(`unknown deployment setting ${name}; known: ${Object.keys(DEFAULT_DEPLOYMENT_SETTINGS).join(', ')}`);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new AdminError(`${name} must be a non-negative number`);
    }
    Object.assign(this.ctx.deployment, input);
    return { ...this.ctx.deployment };
  }

  /** Ends every pending period now (the next read sees Active, or Failed), so tests need not wait out `pendingMs`. */
  completeDeployments(): { completed: number } {
    let completed = 0;
    for (const def of this.ctx.state.functions.values()) {
      if (def.lifecycle !== 'pending') continue;
      def.readyAt = Date.now();
      completed += 1;
    }
    return { completed };
  }

  addFault(spec: FaultSpec): Fault {
    requireCloud(spec.cloud);
    return this.ctx.faults.add(spec);
  }

  faults(): Fault[] {
    return this.ctx.faults.all();
  }

  clearFaults(): void {
    this.ctx.faults.clear();
  }

  /** Moves the emulator clock forward (credential expiry, issued expirations, time conditions). */
  advanceClock(advanceSeconds: number): { offsetSeconds: number; now: string } {
    this.ctx.clock.advance(advanceSeconds);
    return this.clock();
  }

  clock(): { offsetSeconds: number; now: string } {
    return { offsetSeconds: this.ctx.clock.offsetSeconds, now: isoSeconds(this.ctx.clock.now()) };
  }

  counters(): CountersSnapshot {
    return this.ctx.counters.snapshot();
  }

  assumeRoleAttempts(filter: { cloud?: Cloud; roleArn?: string } = {}): AssumeRoleAttempt[] {
    return this.ctx.counters.assumeRoleAttempts(filter);
  }

  /** Issued temporary credentials (without secrets), newest last. */
  sessions(filter: { cloud?: Cloud; roleArn?: string } = {}): SessionInfo[] {
    return [...this.ctx.state.sessions.values()]
      .filter((s) => (!filter.cloud || s.cloud === filter.cloud) && (!filter.roleArn || s.roleArn === filter.roleArn))
      .map((s) => ({
        cloud: s.cloud,
        kind: s.kind,
        accessKeyId: s.accessKeyId,
        account: s.accountId,
        arn: s.arn,
        roleArn: s.roleArn,
        sessionName: s.sessionName,
        externalId: s.externalId,
        sessionPolicy: s.rawSessionPolicy,
        sourceIdentity: s.sourceIdentity,
        tags: s.tags,
        issuedTo: s.issuedTo,
        issuedAt: isoSeconds(s.issuedAt),
        expiresAt: isoSeconds(s.expiresAt),
        durationSeconds: s.durationSeconds,
        chained: s.chained,
      }));
  }

  /**
   * `all` (default) forgets everything: identities, functions, buckets, APIs, faults, counters,
   * deployment settings and the clock offset. `counters` only zeroes counters and the AssumeRole log.
   */
  reset(scope: 'all' | 'counters' = 'all'): void {
    this.ctx.counters.reset();
    if (scope === 'counters') return;
    this.ctx.state.clear();
    this.ctx.faults.clear();
    this.ctx.clock.reset();
    this.ctx.nonces.clear();
    Object.assign(this.ctx.deployment, DEFAULT_DEPLOYMENT_SETTINGS);
  }

  /**
   * Creates (idempotently) the platform account of each cloud with a user allowed to assume any
   * role; Tether uses these keys as its base identity and these principals in trust policies.
   */
  seedPlatform(): PlatformSeed {
    const seed = {} as Record<Cloud, UserKeys & { principal: string }>;
    for (const cloud of CLOUDS) {
      const accountId = PLATFORM_ACCOUNTS[cloud];
      const account = this.ctx.state.account(cloud, accountId) ?? this.ctx.state.createAccount({ cloud, id: accountId, name: 'platform' });
      const principal = accountPrincipals(account)[0]!;
      const existing = this.ctx.state.accessKey(cloud, PLATFORM_KEYS[cloud].accessKeyId);
      const user = existing
        ? this.ctx.state.user(cloud, existing.userArn)!
        : this.ctx.state.createUser({ cloud, account: accountId, name: 'tether-platform', policies: [ASSUME_ANY[cloud]], ...PLATFORM_KEYS[cloud] }).user;
      seed[cloud] = { cloud, account: accountId, arn: user.arn, userId: user.userId, ...PLATFORM_KEYS[cloud], principal };
    }
    const url = this.baseUrl;
    return {
      aws: { ...seed.aws, partition: 'aws' },
      aliyun: seed.aliyun,
      tencent: seed.tencent,
      env: {
        AWS_ACCESS_KEY_ID: seed.aws.accessKeyId,
        AWS_SECRET_ACCESS_KEY: seed.aws.secret,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: url,
        ALIBABA_CLOUD_ACCESS_KEY_ID: seed.aliyun.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: seed.aliyun.secret,
        TETHER_ALIYUN_ENDPOINT_URL: url,
        TENCENTCLOUD_SECRET_ID: seed.tencent.accessKeyId,
        TENCENTCLOUD_SECRET_KEY: seed.tencent.secret,
        TETHER_TENCENT_ENDPOINT_URL: url,
        TETHER_AWS_PRINCIPAL_ARN: seed.aws.principal,
        TETHER_ALIYUN_ACCOUNT_ID: PLATFORM_ACCOUNTS.aliyun,
        TETHER_TENCENT_UIN: PLATFORM_ACCOUNTS.tencent,
      },
    };
  }

  /** Counts of everything held, for `main.ts` and `GET /__emulator/state`. */
  summary(): Record<string, unknown> {
    const s = this.ctx.state;
    return {
      accounts: [...s.accounts.values()].map((a) => ({ cloud: a.cloud, id: a.id, partition: a.partition, name: a.name, appId: a.appId })),
      users: [...s.users.values()].map((u) => ({ cloud: u.cloud, arn: u.arn })),
      roles: [...s.roles.values()].map((r) => ({ cloud: r.cloud, arn: r.arn })),
      functions: this.functions().map((f) => f.resource),
      buckets: [...s.buckets.keys()],
      apis: [...s.apis.keys()],
      sessions: s.sessions.size,
      clock: this.clock(),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP routes

function body(req: EmuRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(req.body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AdminError('body must be a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    if (error instanceof AdminError) throw error;
    throw new AdminError('body is not valid JSON');
  }
}

function filterFrom(req: EmuRequest): { cloud?: Cloud; roleArn?: string } {
  const cloud = req.query.find(([k]) => k === 'cloud')?.[1];
  const roleArn = req.query.find(([k]) => k === 'roleArn')?.[1];
  return { cloud: cloud ? requireCloud(cloud) : undefined, roleArn };
}

/** `/__emulator/...` JSON routes; every error is `{ "error": message }` with 400 (or 404 for an unknown route). */
export function handleAdmin(req: EmuRequest, admin: EmulatorAdmin): EmuResponse {
  const route = `${req.method} ${req.rawPath.replace(/\/+$/, '')}`;
  try {
    const b = (): Record<string, unknown> => body(req);
    switch (route) {
      case 'POST /__emulator/accounts':
        return json(201, admin.createAccount(b() as unknown as CreateAccountInput));
      case 'POST /__emulator/users':
        return json(201, admin.createUser(b() as unknown as CreateUserInput));
      case 'POST /__emulator/access-keys':
        return json(201, admin.createAccessKey(b() as unknown as { cloud: Cloud; userArn: string }));
      case 'PATCH /__emulator/access-keys':
        return json(200, admin.updateAccessKey(b() as unknown as UpdateAccessKeyInput));
      case 'POST /__emulator/roles':
        return json(201, admin.createRole(b() as unknown as CreateRoleInput));
      case 'PUT /__emulator/roles/trust-policy':
        return json(200, admin.putTrustPolicy(b() as unknown as { cloud: Cloud; roleArn: string; trustPolicy: unknown }));
      case 'PUT /__emulator/roles/permission-policies':
        return json(200, admin.putPermissionPolicies(b() as unknown as { cloud: Cloud; roleArn: string; permissionPolicies: unknown[] }));
      case 'POST /__emulator/functions':
        return json(201, admin.createFunction(b() as unknown as CreateFunctionInput));
      case 'GET /__emulator/functions':
        return json(200, admin.functions());
      case 'POST /__emulator/buckets':
        return json(201, admin.createBucket(b() as unknown as CreateBucketInput));
      case 'POST /__emulator/objects':
        return json(201, admin.putObject(b() as unknown as PutObjectInput));
      case 'POST /__emulator/apis':
        return json(201, admin.createApi(b() as unknown as CreateApiInput));
      case 'PUT /__emulator/deployment':
        return json(200, admin.configureDeployment(b() as Partial<DeploymentSettings>));
      case 'POST /__emulator/deployment/complete':
        return json(200, admin.completeDeployments());
      case 'POST /__emulator/faults':
        return json(201, admin.addFault(b() as unknown as FaultSpec));
      case 'GET /__emulator/faults':
        return json(200, admin.faults());
      case 'DELETE /__emulator/faults':
        admin.clearFaults();
        return json(200, { cleared: true });
      case 'POST /__emulator/clock': {
        const seconds = b()['advanceSeconds'];
        if (typeof seconds !== 'number') throw new AdminError('advanceSeconds must be a number');
        return json(200, admin.advanceClock(seconds));
      }
      case 'GET /__emulator/clock':
        return json(200, admin.clock());
      case 'GET /__emulator/counters':
        return json(200, admin.counters());
      case 'GET /__emulator/assume-role-attempts':
        return json(200, admin.assumeRoleAttempts(filterFrom(req)));
      case 'GET /__emulator/sessions':
        return json(200, admin.sessions(filterFrom(req)));
      case 'POST /__emulator/reset': {
        const scope = b()['scope'];
        admin.reset(scope === 'counters' ? 'counters' : 'all');
        return json(200, { reset: scope === 'counters' ? 'counters' : 'all' });
      }
      case 'POST /__emulator/seed':
        return json(200, admin.seedPlatform());
      case 'GET /__emulator/state':
        return json(200, admin.summary());
      default: {
        // `POST /__emulator/buckets/<bucket>/objects` is the same as `POST /__emulator/objects` with `bucket`.
        const objects = /^POST \/__emulator\/buckets\/([^/]+)\/objects$/.exec(route);
        if (objects) return json(201, admin.putObject({ ...(b() as unknown as PutObjectInput), bucket: decodeURIComponent(objects[1]!) }));
        return json(404, { error: `no admin route ${route}` });
      }
    }
  } catch (error) {
    return json(400, { error: error instanceof Error ? error.message : String(error) });
  }
}

