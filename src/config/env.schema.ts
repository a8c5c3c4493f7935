/**
 * The environment variables Tether reads, with their rules. DESIGN.md's configuration table is
 * the contract; this file is the one place that enforces it.
 */
export interface EnvRule {
  readonly name: string;
  /** One sentence a operator can act on, shown when the value is wrong. Never echoes the value. */
  readonly expect: string;
  readonly sensitive?: boolean;
}

export const ENV_RULES = {
  PORT: { name: 'PORT', expect: 'a TCP port between 1 and 65535' },
  HOST: { name: 'HOST', expect: 'a host name or IP address to listen on' },
  DATABASE_URL: { name: 'DATABASE_URL', expect: 'a postgres:// or postgresql:// URL', sensitive: true },
  TETHER_DATABASE_POOL_SIZE: { name: 'TETHER_DATABASE_POOL_SIZE', expect: 'a whole number of connections between 1 and 200' },
  TETHER_DATA_DIR: { name: 'TETHER_DATA_DIR', expect: 'a directory path for the embedded database and the development key' },
  TETHER_BOOTSTRAP_TOKEN: { name: 'TETHER_BOOTSTRAP_TOKEN', expect: 'at least 32 printable ASCII characters without spaces', sensitive: true },
  TETHER_MASTER_KEYS: {
    name: 'TETHER_MASTER_KEYS',
    expect: 'comma-separated <keyId>:<base64 of 32 bytes> entries with distinct ids of [A-Za-z0-9_-]{1,32}; the first one seals',
    sensitive: true,
  },
  TETHER_AWS_PRINCIPAL_ARN: {
    name: 'TETHER_AWS_PRINCIPAL_ARN',
    expect: 'comma-separated IAM role, user or root ARNs, at most one per partition (arn:aws:iam::123456789012:role/tether)',
  },
  TETHER_ALIYUN_ACCOUNT_ID: { name: 'TETHER_ALIYUN_ACCOUNT_ID', expect: 'a numeric Alibaba Cloud account id' },
  TETHER_TENCENT_UIN: { name: 'TETHER_TENCENT_UIN', expect: 'a numeric Tencent Cloud account uin' },
  AWS_ENDPOINT_URL: { name: 'AWS_ENDPOINT_URL', expect: 'an http:// or https:// URL' },
  TETHER_ALIYUN_ENDPOINT_URL: { name: 'TETHER_ALIYUN_ENDPOINT_URL', expect: 'an http:// or https:// URL' },
  TETHER_TENCENT_ENDPOINT_URL: { name: 'TETHER_TENCENT_ENDPOINT_URL', expect: 'an http:// or https:// URL' },
  TETHER_EGRESS_ALLOWLIST: { name: 'TETHER_EGRESS_ALLOWLIST', expect: 'comma-separated host names and CIDR blocks' },
  TETHER_RATE_LIMIT_PER_MINUTE: { name: 'TETHER_RATE_LIMIT_PER_MINUTE', expect: 'a positive whole number of requests per token per minute' },
  TETHER_BODY_LIMIT_BYTES: { name: 'TETHER_BODY_LIMIT_BYTES', expect: 'a whole number of bytes between 1024 and 104857600' },
  TETHER_CODE_PACKAGE_LIMIT_BYTES: { name: 'TETHER_CODE_PACKAGE_LIMIT_BYTES', expect: 'a whole number of bytes between 1024 and 2147483648' },
  TETHER_LOOKUP_CACHE_SECONDS: { name: 'TETHER_LOOKUP_CACHE_SECONDS', expect: 'a whole number of seconds between 0 and 60 (0 reads tokens and connections from the database on every request)' },
  TETHER_FLEET_NOTIFY: { name: 'TETHER_FLEET_NOTIFY', expect: 'on or off (off behind a connection pooler that does not keep sessions, where LISTEN cannot work)' },
  TETHER_POSTURE_INTERVAL_SECONDS: { name: 'TETHER_POSTURE_INTERVAL_SECONDS', expect: 'a whole number of seconds, at least 1' },
  TETHER_AUDIT_RETENTION_DAYS: { name: 'TETHER_AUDIT_RETENTION_DAYS', expect: 'a whole number of days, at least 1 (unset keeps events forever)' },
  LOG_LEVEL: { name: 'LOG_LEVEL', expect: 'one of fatal, error, warn, info, debug, trace, silent' },
} as const satisfies Record<string, EnvRule>;

export type EnvName = keyof typeof ENV_RULES;
