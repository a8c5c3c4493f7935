import type { Clock } from './clock';
import { ids } from './ids';
import { parsePolicy, type Policy, type PolicyLanguage, type PrincipalContext } from './policy';

/** The three clouds the emulator speaks for. */
export type Cloud = 'aws' | 'aliyun' | 'tencent';
export const CLOUDS: readonly Cloud[] = ['aws', 'aliyun', 'tencent'];

export const LANGUAGE: Record<Cloud, PolicyLanguage> = { aws: 'aws', aliyun: 'aliyun', tencent: 'tencent' };

/** AWS 12-digit account id; Aliyun numeric uid; Tencent numeric owner uin. */
export interface Account {
  cloud: Cloud;
  id: string;
  /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`); partitions never trust each other. */
  partition: string;
  name?: string;
  /** Tencent only: the APPID that COS bucket names and COS resource names carry (`code-1250000000`). */
  appId?: string;
}

export interface User {
  cloud: Cloud;
  accountId: string;
  name: string;
  /** IAM path, `/` by default (AWS only). */
  path: string;
  arn: string;
  /** AIDA… (AWS), numeric user id (Aliyun), sub-account uin (Tencent). */
  userId: string;
  /** The account's root identity: every permission, but AWS and Aliyun refuse it AssumeRole. */
  root: boolean;
  policies: Policy[];
  rawPolicies: unknown[];
}

export type KeyStatus = 'Active' | 'Inactive';

export interface AccessKey {
  cloud: Cloud;
  accessKeyId: string;
  secret: string;
  userArn: string;
  status: KeyStatus;
  /** Long-lived keys can be given an expiry for tests; undefined means never. */
  expiresAt?: Date;
}

export interface Role {
  cloud: Cloud;
  accountId: string;
  name: string;
  path: string;
  arn: string;
  roleId: string;
  trustPolicy: Policy;
  rawTrustPolicy: unknown;
  permissionPolicies: Policy[];
  rawPermissionPolicies: unknown[];
  maxSessionDurationSeconds: number;
}

export type SessionKind = 'assumed-role' | 'session-token' | 'federated';

/** Temporary credentials issued by an STS, and everything the emulator remembers about the issue. */
export interface Session {
  cloud: Cloud;
  kind: SessionKind;
  accountId: string;
  accessKeyId: string;
  secret: string;
  token: string;
  issuedAt: Date;
  expiresAt: Date;
  durationSeconds: number;
  /** The role (assumed-role) or user (session-token, federated) whose permissions the session carries. */
  roleArn?: string;
  userArn?: string;
  sessionName: string;
  /** The caller identity this session reports (assumed-role ARN, federated-user ARN, user ARN). */
  arn: string;
  userId: string;
  sessionPolicy?: Policy;
  rawSessionPolicy?: unknown;
  externalId?: string;
  sourceIdentity?: string;
  tags: Record<string, string>;
  /** Who asked for the session. */
  issuedTo: string;
  /** Issued to a caller that was itself an assumed-role session. */
  chained: boolean;
}

/** The authenticated caller of one request. */
export interface Caller {
  cloud: Cloud;
  account: Account;
  type: 'root' | 'user' | 'assumed-role' | 'session-token' | 'federated';
  /** The ARN the cloud reports (GetCallerIdentity, error messages). */
  arn: string;
  userId: string;
  /** `aws:PrincipalArn`: the role ARN for a role session, else `arn`. */
  principalArn: string;
  principal: PrincipalContext;
  identityPolicies: Policy[];
  identityAllowsAll: boolean;
  sessionPolicies: Policy[];
  accessKeyId: string;
  session?: Session;
  user?: User;
  role?: Role;
}

export type FunctionBehaviour =
  | { type: 'echo' }
  | { type: 'rows' }
  | { type: 'error'; errorType?: string; errorMessage?: string }
  | { type: 'sleep'; latencyMs: number }
  /** Answers the same JSON to every event: lets a deployed package show which version runs. */
  | { type: 'reply'; body: unknown };

/** Lifecycle of a deployed function, in neutral words; each cloud spells it its own way. */
export type FunctionLifecycle = 'pending' | 'active' | 'failed';

/** Where a deployed function's code came from: an object of an emulated bucket. */
export interface FunctionCode {
  bucket: string;
  key: string;
  size: number;
  /** Lower-case hex SHA-256 of the package. */
  sha256: string;
  /** CRC-64/ECMA-182 of the package, as FC reports it (`codeChecksum`). */
  crc64?: string;
}

export interface FunctionDef {
  cloud: Cloud;
  accountId: string;
  region: string;
  name: string;
  /** Tencent SCF namespace (default `default`). */
  namespace: string;
  /** Aliyun FC 2.0 service (default `default`). */
  service: string;
  runtime: string;
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  behaviour: FunctionBehaviour;
  /** The first N invocations answer the cloud's throttling error. */
  throttleFirst: number;
  versions: string[];
  aliases: Record<string, string>;
  invocations: number;
  createdAt: Date;
  /** Last create or update (code or configuration). */
  lastModified: Date;
  /** Functions made by the admin API are active at once; deployed ones pass through pending (see {@link currentLifecycle}). */
  lifecycle: FunctionLifecycle;
  /** Wall-clock ms at which a pending function becomes active. */
  readyAt?: number;
  stateReason?: string;
  /** Set for functions deployed from a package (admin-made ones have none). */
  code?: FunctionCode;
  environment: Record<string, string>;
  /** The execution role (Lambda Role, FC service role, SCF Role). */
  roleArn?: string;
  description?: string;
}

/** What a create call names; the rest of a {@link FunctionDef} starts from the defaults of {@link newFunctionDef}. */
export type NewFunction = Pick<FunctionDef, 'cloud' | 'accountId' | 'region' | 'name' | 'namespace' | 'service' | 'runtime' | 'handler' | 'memoryMb' | 'timeoutSeconds' | 'lifecycle'> & Partial<FunctionDef>;

/** A new function with its bookkeeping (invocations, versions, aliases, faults) at the starting values. */
export function newFunctionDef(fields: NewFunction, now: Date): FunctionDef {
  return { behaviour: { type: 'echo' }, throttleFirst: 0, versions: [], aliases: {}, invocations: 0, environment: {}, createdAt: now, lastModified: now, ...fields };
}

/** A pending function turns active once its `readyAt` has passed: the Pending -> Active transition clients poll for. */
export function currentLifecycle(def: FunctionDef, nowMs = Date.now()): FunctionLifecycle {
  if (def.lifecycle === 'pending' && def.readyAt !== undefined && nowMs >= def.readyAt) {
    def.lifecycle = 'active';
    delete def.readyAt;
    delete def.stateReason;
  }
  return def.lifecycle;
}

export interface StoredObject {
  key: string;
  body: Buffer;
  contentType: string;
  lastModified: Date;
  etag: string;
  /** User metadata (`x-amz-meta-*`, `x-oss-meta-*`, `x-cos-meta-*`), lower-case names without the prefix. */
  metadata?: Record<string, string>;
  /** Flexible checksums the uploader sent and the store verified, by algorithm (`sha256`, `crc32`): base64. */
  checksums?: Record<string, string>;
}

export interface Bucket {
  cloud: Cloud;
  accountId: string;
  name: string;
  region: string;
  policy?: Policy;
  objects: Map<string, StoredObject>;
}

export interface ApiRoute {
  /** HTTP method or `ANY`. */
  method: string;
  /** `/hello`, `/items/{id}`, `/{proxy+}`. */
  path: string;
}

export interface ApiDef {
  apiId: string;
  region: string;
  accountId: string;
  stage: string;
  routes: ApiRoute[];
  resourcePolicy?: Policy;
}

/** An Aliyun FC 2.0 service made through CreateService (admin-made functions imply theirs). */
export interface FcService {
  accountId: string;
  region: string;
  name: string;
  /** The service role functions run as (passed with ram:PassRole). */
  role?: string;
  description: string;
  createdAt: Date;
  lastModified: Date;
  /** Published version ids, oldest first ("1", "2", …). */
  versions: string[];
}

const DEFAULT_MAX_SESSION: Record<Cloud, number> = { aws: 3600, aliyun: 3600, tencent: 43200 };

/** Everything the emulator knows, in memory. */
export class State {
  readonly accounts = new Map<string, Account>();
  readonly users = new Map<string, User>();
  readonly keys = new Map<string, AccessKey>();
  readonly roles = new Map<string, Role>();
  readonly sessions = new Map<string, Session>();
  readonly functions = new Map<string, FunctionDef>();
  /** Keyed by {@link State.bucketKey}: bucket names are global per cloud, not across clouds. */
  readonly buckets = new Map<string, Bucket>();
  readonly apis = new Map<string, ApiDef>();
  /** Aliyun FC services keyed by `account|name` (service names are unique per account and region; the emulator keeps them per account). */
  readonly fcServices = new Map<string, FcService>();

  constructor(private readonly clock: Clock) {}

  clear(): void {
    for (const map of [this.accounts, this.users, this.keys, this.roles, this.sessions, this.functions, this.buckets, this.apis, this.fcServices]) map.clear();
  }

  private static key(cloud: Cloud, id: string): string {
    return `${cloud}|${id}`;
  }

  // ---- accounts --------------------------------------------------------------------------------

  createAccount(input: { cloud: Cloud; id?: string; partition?: string; name?: string; appId?: string }): Account {
    const id = input.id ?? (input.cloud === 'aws' ? ids.digits(12) : input.cloud === 'aliyun' ? ids.digits(16) : ids.digits(12));
    if (input.cloud === 'aws' && !/^\d{12}$/.test(id)) throw new Error('an AWS account id has 12 digits');
    if (input.cloud !== 'aws' && !/^\d+$/.test(id)) throw new Error('an Aliyun uid / Tencent uin is numeric');
    if (input.appId !== undefined && (input.cloud !== 'tencent' || !/^\d+$/.test(input.appId))) throw new Error('appId is a numeric Tencent APPID');
    const partition = input.cloud === 'aws' ? input.partition ?? 'aws' : input.cloud;
    // Every Tencent account has an APPID (COS names buckets with it); 125xxxxxxx like the real ones.
    // Creating an account again keeps its APPID: its buckets are named with it.
    const appId = input.cloud === 'tencent' ? input.appId ?? this.account(input.cloud, id)?.appId ?? `125${ids.digits(7)}` : undefined;
    const account: Account = { cloud: input.cloud, id, partition, name: input.name, ...(appId ? { appId } : {}) };
    this.accounts.set(State.key(input.cloud, id), account);
    return account;
  }

  account(cloud: Cloud, id: string): Account | undefined {
    return this.accounts.get(State.key(cloud, id));
  }

  requireAccount(cloud: Cloud, id: string): Account {
    const account = this.account(cloud, id);
    if (!account) throw new Error(`no ${cloud} account ${id}; create it first`);
    return account;
  }

  // ---- users and keys --------------------------------------------------------------------------

  createUser(input: { cloud: Cloud; account: string; name: string; path?: string; policies?: unknown[]; root?: boolean; accessKeyId?: string; secret?: string }): { user: User; key: AccessKey } {
    const account = this.requireAccount(input.cloud, input.account);
    const path = normalisePath(input.path);
    const root = input.root === true;
    const userId = input.cloud === 'aws' ? (root ? account.id : `AIDA${ids.upper(17)}`) : root ? account.id : ids.digits(input.cloud === 'aliyun' ? 16 : 12);
    // CAM names a sub-account by its uin, not its name.
    const arn = userArn(account, input.cloud === 'tencent' ? userId : input.name, path, root);
    const rawPolicies = input.policies ?? [];
    const user: User = { cloud: input.cloud, accountId: account.id, name: input.name, path, arn, userId, root, rawPolicies, policies: rawPolicies.map((p) => parsePolicy(p, LANGUAGE[input.cloud])) };
    if (input.accessKeyId && this.keys.has(State.key(input.cloud, input.accessKeyId))) throw new Error(`access key ${input.accessKeyId} exists already`);
    this.users.set(State.key(input.cloud, arn), user);
    return { user, key: this.createAccessKey(input.cloud, arn, { accessKeyId: input.accessKeyId, secret: input.secret }) };
  }

  /** A new long-lived key for a user; id and secret are random unless given (stable seeds). */
  createAccessKey(cloud: Cloud, arnOfUser: string, fixed: { accessKeyId?: string; secret?: string } = {}): AccessKey {
    if (!this.users.has(State.key(cloud, arnOfUser))) throw new Error(`no ${cloud} user ${arnOfUser}`);
    const accessKeyId = fixed.accessKeyId ?? (cloud === 'aws' ? `AKIA${ids.upper(16)}` : cloud === 'aliyun' ? `LTAI${ids.alnum(20)}` : `AKID${ids.alnum(32)}`);
    const secret = fixed.secret ?? ids.secret(cloud === 'tencent' ? 32 : cloud === 'aliyun' ? 30 : 40);
    const key: AccessKey = { cloud, accessKeyId, secret, userArn: arnOfUser, status: 'Active' };
    this.keys.set(State.key(cloud, accessKeyId), key);
    return key;
  }

  updateAccessKey(input: { cloud: Cloud; accessKeyId: string; status?: KeyStatus; expiresAt?: string | null }): AccessKey {
    const key = this.keys.get(State.key(input.cloud, input.accessKeyId));
    if (!key) throw new Error(`no ${input.cloud} access key ${input.accessKeyId}`);
    if (input.status) key.status = input.status;
    if (input.expiresAt !== undefined) key.expiresAt = input.expiresAt === null ? undefined : new Date(input.expiresAt);
    return key;
  }

  user(cloud: Cloud, arn: string): User | undefined {
    return this.users.get(State.key(cloud, arn));
  }

  accessKey(cloud: Cloud, accessKeyId: string): AccessKey | undefined {
    return this.keys.get(State.key(cloud, accessKeyId));
  }

  session(cloud: Cloud, accessKeyId: string): Session | undefined {
    return this.sessions.get(State.key(cloud, accessKeyId));
  }

  // ---- roles -----------------------------------------------------------------------------------

  createRole(input: { cloud: Cloud; account: string; name: string; path?: string; trustPolicy: unknown; permissionPolicies?: unknown[]; maxSessionDurationSeconds?: number }): Role {
    const account = this.requireAccount(input.cloud, input.account);
    const path = normalisePath(input.path);
    const arn = roleArn(account, input.name, path);
    const rawPermissionPolicies = input.permissionPolicies ?? [];
    const language = LANGUAGE[input.cloud];
    const maxSession = input.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION[input.cloud];
    if (maxSession < 3600 || maxSession > 43200) throw new Error('maxSessionDurationSeconds must be within 3600..43200');
    const role: Role = {
      cloud: input.cloud,
      accountId: account.id,
      name: input.name,
      path,
      arn,
      roleId: input.cloud === 'aws' ? `AROA${ids.upper(17)}` : ids.digits(19),
      trustPolicy: parsePolicy(input.trustPolicy, language),
      rawTrustPolicy: input.trustPolicy,
      permissionPolicies: rawPermissionPolicies.map((p) => parsePolicy(p, language)),
      rawPermissionPolicies,
      maxSessionDurationSeconds: maxSession,
    };
    this.roles.set(State.key(input.cloud, arn), role);
    return role;
  }

  role(cloud: Cloud, arn: string): Role | undefined {
    const exact = this.roles.get(State.key(cloud, arn));
    if (exact || cloud !== 'aliyun') return exact;
    // RAM role names are case-insensitive: the console shows `acs:ram::…:role/myrole` for `MyRole`.
    for (const role of this.roles.values()) if (role.cloud === cloud && role.arn.toLowerCase() === arn.toLowerCase()) return role;
    return undefined;
  }

  requireRole(cloud: Cloud, arn: string): Role {
    const role = this.role(cloud, arn);
    if (!role) throw new Error(`no ${cloud} role ${arn}`);
    return role;
  }

  putTrustPolicy(cloud: Cloud, arn: string, trustPolicy: unknown): Role {
    const role = this.requireRole(cloud, arn);
    role.trustPolicy = parsePolicy(trustPolicy, LANGUAGE[cloud]);
    role.rawTrustPolicy = trustPolicy;
    return role;
  }

  putPermissionPolicies(cloud: Cloud, arn: string, policies: unknown[]): Role {
    const role = this.requireRole(cloud, arn);
    role.permissionPolicies = policies.map((p) => parsePolicy(p, LANGUAGE[cloud]));
    role.rawPermissionPolicies = policies;
    return role;
  }

  // ---- sessions --------------------------------------------------------------------------------

  issueSession(input: Omit<Session, 'accessKeyId' | 'secret' | 'token' | 'issuedAt' | 'expiresAt'>): Session {
    const issuedAt = this.clock.now();
    const accessKeyId = input.cloud === 'aws' ? `ASIA${ids.upper(16)}` : input.cloud === 'aliyun' ? `STS.${ids.alnum(25)}` : `AKID${ids.alnum(32)}`;
    const token = input.cloud === 'aws' ? ids.token('IQoJb3JpZ2luX2VjE') : input.cloud === 'aliyun' ? ids.token('CAIS') : ids.token('', 120);
    const session: Session = {
      ...input,
      accessKeyId,
      secret: ids.secret(input.cloud === 'tencent' ? 32 : 40),
      token,
      // Second precision, as the clouds write it; tests compare expirations exactly.
      issuedAt: new Date(Math.floor(issuedAt.getTime() / 1000) * 1000),
      expiresAt: new Date(Math.floor(issuedAt.getTime() / 1000) * 1000 + input.durationSeconds * 1000),
    };
    this.sessions.set(State.key(input.cloud, accessKeyId), session);
    return session;
  }

  // ---- callers ---------------------------------------------------------------------------------

  /** Builds the caller for a verified long-lived key or session. */
  callerForUser(user: User, accessKeyId: string): Caller {
    const account = this.requireAccount(user.cloud, user.accountId);
    return {
      cloud: user.cloud,
      account,
      type: user.root ? 'root' : 'user',
      arn: user.arn,
      userId: user.userId,
      principalArn: user.arn,
      principal: { accountIds: accountPrincipals(account), specificIds: user.root ? [] : [user.arn] },
      identityPolicies: user.policies,
      identityAllowsAll: user.root,
      sessionPolicies: [],
      accessKeyId,
      user,
    };
  }

  callerForSession(session: Session): Caller {
    const account = this.requireAccount(session.cloud, session.accountId);
    const sessionPolicies = session.sessionPolicy ? [session.sessionPolicy] : [];
    if (session.kind === 'assumed-role') {
      const role = this.requireRole(session.cloud, session.roleArn ?? '');
      return {
        cloud: session.cloud,
        account,
        type: 'assumed-role',
        arn: session.arn,
        userId: session.userId,
        principalArn: role.arn,
        principal: { accountIds: accountPrincipals(account), specificIds: [role.arn, session.arn] },
        identityPolicies: role.permissionPolicies,
        identityAllowsAll: false,
        sessionPolicies,
        accessKeyId: session.accessKeyId,
        session,
        role,
      };
    }
    const user = this.user(session.cloud, session.userArn ?? '');
    if (!user) throw new Error(`session ${session.accessKeyId} lost its user`);
    const base = this.callerForUser(user, session.accessKeyId);
    if (session.kind === 'session-token') return { ...base, type: 'session-token', session };
    // A federation token without a policy has no permissions at all: an empty policy allows nothing.
    const federated: Policy = session.sessionPolicy ?? { language: LANGUAGE[session.cloud], statements: [] };
    return { ...base, type: 'federated', arn: session.arn, userId: session.userId, principal: { accountIds: accountPrincipals(account), specificIds: [session.arn] }, sessionPolicies: [federated], session };
  }

  // ---- buckets ---------------------------------------------------------------------------------

  static bucketKey(cloud: Cloud, name: string): string {
    return `${cloud}|${name}`;
  }

  bucket(cloud: Cloud, name: string): Bucket | undefined {
    return this.buckets.get(State.bucketKey(cloud, name));
  }

  putBucket(bucket: Bucket): Bucket {
    this.buckets.set(State.bucketKey(bucket.cloud, bucket.name), bucket);
    return bucket;
  }

  // ---- functions -------------------------------------------------------------------------------

  static functionKey(cloud: Cloud, accountId: string, region: string, scope: string, name: string): string {
    return `${cloud}|${accountId}|${region}|${scope}|${name}`;
  }

  putFunction(def: FunctionDef): FunctionDef {
    const scope = def.cloud === 'tencent' ? def.namespace : def.cloud === 'aliyun' ? def.service : '';
    this.functions.set(State.functionKey(def.cloud, def.accountId, def.region, scope, def.name), def);
    return def;
  }

  findFunction(cloud: Cloud, accountId: string, region: string | undefined, scope: string, name: string): FunctionDef | undefined {
    if (region !== undefined) return this.functions.get(State.functionKey(cloud, accountId, region, scope, name));
    // Aliyun FC requests carry no region once the endpoint is overridden: take the only match.
    return [...this.functions.values()].find((f) => f.cloud === cloud && f.accountId === accountId && (cloud === 'aliyun' ? f.service : f.namespace) === scope && f.name === name);
  }

  listFunctions(cloud: Cloud, accountId: string, filter: (f: FunctionDef) => boolean = () => true): FunctionDef[] {
    return [...this.functions.values()].filter((f) => f.cloud === cloud && f.accountId === accountId && filter(f)).sort((a, b) => a.name.localeCompare(b.name));
  }
}

function normalisePath(path: string | undefined): string {
  if (!path || path === '/') return '/';
  const withLeading = path.startsWith('/') ? path : `/${path}`;
  return withLeading.endsWith('/') ? withLeading : `${withLeading}/`;
}

export function userArn(account: Account, name: string, path: string, root: boolean): string {
  switch (account.cloud) {
    case 'aws':
      return root ? `arn:${account.partition}:iam::${account.id}:root` : `arn:${account.partition}:iam::${account.id}:user${path}${name}`;
    case 'aliyun':
      return root ? `acs:ram::${account.id}:root` : `acs:ram::${account.id}:user/${name}`;
    case 'tencent':
      return root ? `qcs::cam::uin/${account.id}:root` : `qcs::cam::uin/${account.id}:uin/${name}`;
  }
}

export function roleArn(account: Account, name: string, path: string): string {
  switch (account.cloud) {
    case 'aws':
      return `arn:${account.partition}:iam::${account.id}:role${path}${name}`;
    case 'aliyun':
      return `acs:ram::${account.id}:role/${name}`;
    case 'tencent':
      return `qcs::cam::uin/${account.id}:roleName/${name}`;
  }
}

/** The strings that name "this whole account" in each cloud's Principal blocks. */
export function accountPrincipals(account: Account): string[] {
  switch (account.cloud) {
    case 'aws':
      return [`arn:${account.partition}:iam::${account.id}:root`, account.id];
    case 'aliyun':
      return [`acs:ram::${account.id}:root`, account.id];
    case 'tencent':
      return [`qcs::cam::uin/${account.id}:root`, `qcs::cam::uin/${account.id}:uin/${account.id}`, account.id];
  }
}
