import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { AwsPrincipals, parseAwsPrincipalArns } from '../cloud-identifiers';
import { ENV_RULES, EnvName } from './env.schema';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** A master key of the sealing keyring. */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

/** Everything Tether reads from its environment, validated once at boot. */
export interface TetherConfig {
  readonly http: { readonly port: number; readonly host: string; readonly bodyLimitBytes: number; readonly codePackageLimitBytes: number };
  /** poolSize is 1 on the embedded database: PGlite runs one statement at a time, and its socket bridge mixes up interleaved transactions. */
  readonly database: {
    readonly url?: string;
    readonly dataDir: string;
    readonly poolSize: number;
    /** Replicas tell each other about changes with LISTEN/NOTIFY (a server only: the embedded database serves one process). */
    readonly fleetNotify: boolean;
  };
  readonly bootstrapToken?: string;
  /** Absent means "generate a development key into the data dir". */
  readonly masterKeys?: readonly MasterKey[];
  readonly principals: {
    /** Partition (`aws`, `aws-cn`, `aws-us-gov`) to the ARN customers trust. */
    readonly aws: AwsPrincipals;
    readonly aliyunAccountId?: string;
    readonly tencentUin?: string;
  };
  readonly endpoints: { readonly aws?: string; readonly aliyun?: string; readonly tencent?: string };
  readonly egressAllowlist: readonly string[];
  readonly rateLimitPerMinute: number;
  /**
   * How long a replica keeps tokens and connections it read in memory. Changes made through this
   * replica take effect at once; changes made through another replica within this bound.
   */
  readonly lookupCacheSeconds: number;
  readonly postureIntervalSeconds: number;
  /** Audit events older than this are pruned; absent keeps them forever. */
  readonly auditRetentionDays?: number;
  readonly logLevel: LogLevel;
}

/** Thrown when the environment is wrong; the message names the variable, never its value. */
export class ConfigError extends Error {
  constructor(readonly variable: EnvName, detail?: string) {
    super(`${variable} is invalid: ${detail ?? `expected ${ENV_RULES[variable].expect}`}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function read(env: Env, name: EnvName): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env: Env, name: EnvName, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new ConfigError(name);
  return value;
}

function onOff(env: Env, name: EnvName, fallback: boolean): boolean {
  const value = read(env, name);
  if (value === undefined) return fallback;
  if (value !== 'on' && value !== 'off') throw new ConfigError(name);
  return value === 'on';
}

function url(env: Env, name: EnvName, protocols: readonly string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  try {
    const parsed = new URL(raw);
    if (!protocols.includes(parsed.protocol)) throw new ConfigError(name);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(name);
  }
  return raw.replace(/\/+$/, '');
}

function digits(env: Env, name: EnvName): string | undefined {
  const raw = read(env, name);
  if (raw !== undefined && !/^\d{1,20}$/.test(raw)) throw new ConfigError(name);
  return raw;
}

function masterKeys(env: Env): MasterKey[] | undefined {
  const raw = read(env, 'TETHER_MASTER_KEYS');
  if (raw === undefined) return undefined;
  const keys = raw.split(',').map((entry) => {
    const match = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(entry.trim());
    if (!match) throw new ConfigError('TETHER_MASTER_KEYS');
    const key = Buffer.from(match[2], 'base64');
    if (key.length !== 32) throw new ConfigError('TETHER_MASTER_KEYS', 'expected every key to decode to exactly 32 bytes (AES-256)');
    return { id: match[1], key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new ConfigError('TETHER_MASTER_KEYS', 'expected distinct key ids');
  return keys;
}

function awsPrincipals(env: Env): AwsPrincipals {
  const raw = read(env, 'TETHER_AWS_PRINCIPAL_ARN');
  if (raw === undefined) return {};
  const result = parseAwsPrincipalArns(raw);
  if (!result.ok) throw new ConfigError('TETHER_AWS_PRINCIPAL_ARN', result.message);
  return result.value;
}

function allowlist(env: Env): string[] {
  const raw = read(env, 'TETHER_EGRESS_ALLOWLIST');
  if (raw === undefined) return [];
  return raw.split(',').map((entry) => {
    const item = entry.trim().toLowerCase();
    const [address, bits] = item.split('/');
    const isCidr = bits !== undefined && isIP(address) !== 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128);
    const isHost = bits === undefined && /^(\*\.)?[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(item);
    if (!isCidr && !isHost && isIP(item) === 0) throw new ConfigError('TETHER_EGRESS_ALLOWLIST');
    return item;
  });
}

/**
 * Reads and validates the environment once. Throws {@link ConfigError} naming the first wrong
 * variable; callers print that one line and stop.
 */
export function loadConfig(env: Env = process.env): TetherConfig {
  const logLevel = read(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) throw new ConfigError('LOG_LEVEL');
  const bootstrapToken = read(env, 'TETHER_BOOTSTRAP_TOKEN');
  if (bootstrapToken !== undefined && !/^[\x21-\x7E]{32,512}$/.test(bootstrapToken)) throw new ConfigError('TETHER_BOOTSTRAP_TOKEN');
  const host = read(env, 'HOST') ?? '0.0.0.0';
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host)) throw new ConfigError('HOST');

  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const config: TetherConfig = {
    http: {
      port: integer(env, 'PORT', 3000, 0, 65535),
      host,
      bodyLimitBytes: integer(env, 'TETHER_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
      codePackageLimitBytes: integer(env, 'TETHER_CODE_PACKAGE_LIMIT_BYTES', 50 * 1024 * 1024, 1024, 2 * 1024 * 1024 * 1024),
    },
    database: {
      url: databaseUrl,
      dataDir: resolve(read(env, 'TETHER_DATA_DIR') ?? './.tether'),
      poolSize: integer(env, 'TETHER_DATABASE_POOL_SIZE', databaseUrl ? 10 : 1, 1, 200),
      fleetNotify: onOff(env, 'TETHER_FLEET_NOTIFY', true) && databaseUrl !== undefined,
    },
    bootstrapToken,
    masterKeys: masterKeys(env),
    principals: {
      aws: awsPrincipals(env),
      aliyunAccountId: digits(env, 'TETHER_ALIYUN_ACCOUNT_ID'),
      tencentUin: digits(env, 'TETHER_TENCENT_UIN'),
    },
    endpoints: {
      aws: url(env, 'AWS_ENDPOINT_URL', ['http:', 'https:']),
      aliyun: url(env, 'TETHER_ALIYUN_ENDPOINT_URL', ['http:', 'https:']),
      tencent: url(env, 'TETHER_TENCENT_ENDPOINT_URL', ['http:', 'https:']),
    },
    egressAllowlist: allowlist(env),
    rateLimitPerMinute: integer(env, 'TETHER_RATE_LIMIT_PER_MINUTE', 6000, 1, 10_000_000),
    lookupCacheSeconds: integer(env, 'TETHER_LOOKUP_CACHE_SECONDS', 5, 0, 60),
    postureIntervalSeconds: integer(env, 'TETHER_POSTURE_INTERVAL_SECONDS', 21600, 1, 31 * 24 * 3600),
    auditRetentionDays: read(env, 'TETHER_AUDIT_RETENTION_DAYS') === undefined ? undefined : integer(env, 'TETHER_AUDIT_RETENTION_DAYS', 0, 1, 36500),
    logLevel: logLevel as LogLevel,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Injection token of the {@link TetherConfig}. */
export const TETHER_CONFIG = Symbol('TETHER_CONFIG');
