import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config';

const KEY = Buffer.alloc(32, 1).toString('base64');

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config.http).toMatchObject({ port: 3000, host: '0.0.0.0', bodyLimitBytes: 1048576, codePackageLimitBytes: 52428800 });
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toMatch(/\.tether$/);
    expect(config.masterKeys).toBeUndefined();
    expect(config.postureIntervalSeconds).toBe(21600);
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', 'http'],
    ['DATABASE_URL', 'mysql://root@x/db'],
    ['TETHER_BOOTSTRAP_TOKEN', 'short'],
    ['TETHER_MASTER_KEYS', 'k1:dG9vLXNob3J0'],
    ['TETHER_MASTER_KEYS', `k1:${KEY},k1:${KEY}`],
    ['TETHER_AWS_PRINCIPAL_ARN', 'arn:aws:iam::123:role/x'],
    ['TETHER_AWS_PRINCIPAL_ARN', 'arn:aws:iam::123456789012:role/a,arn:aws:iam::123456789012:role/b'],
    ['TETHER_ALIYUN_ACCOUNT_ID', 'abc'],
    ['AWS_ENDPOINT_URL', 'ftp://x'],
    ['TETHER_EGRESS_ALLOWLIST', 'not a host'],
    ['LOG_LEVEL', 'loud'],
    ['TETHER_FLEET_NOTIFY', 'yes'],
    ['TETHER_BODY_LIMIT_BYTES', '9'],
  ])('names %s (and not its value) when it is %s', (name, value) => {
    const error = failure({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message.startsWith(`${name} is invalid: `)).toBe(true);
    expect(error.message).not.toContain(value);
  });

  it('tells the fleet about changes on a PostgreSQL server unless turned off, never on the embedded database', () => {
    expect(loadConfig({}).database.fleetNotify).toBe(false);
    expect(loadConfig({ TETHER_FLEET_NOTIFY: 'on' }).database.fleetNotify).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/tether' }).database.fleetNotify).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/tether', TETHER_FLEET_NOTIFY: 'off' }).database.fleetNotify).toBe(false);
  });

  it('reads one AWS principal per partition and a keyring whose first key seals', () => {
    const config = loadConfig({
      TETHER_AWS_PRINCIPAL_ARN: 'arn:aws:iam::111111111111:role/tether, arn:aws-cn:iam::222222222222:root',
      TETHER_MASTER_KEYS: `new:${KEY},old:${Buffer.alloc(32, 2).toString('base64')}`,
      TETHER_EGRESS_ALLOWLIST: '10.0.0.0/8, *.execute-api.us-east-1.amazonaws.com',
    });
    expect(config.principals.aws).toEqual({ aws: 'arn:aws:iam::111111111111:role/tether', 'aws-cn': 'arn:aws-cn:iam::222222222222:root' });
    expect(config.masterKeys?.map((k) => k.id)).toEqual(['new', 'old']);
    expect(config.egressAllowlist).toEqual(['10.0.0.0/8', '*.execute-api.us-east-1.amazonaws.com']);
  });
});
