import { randomBytes } from 'node:crypto';
import { startEmulator, type Emulator } from '../../emulators';
import type { PlatformSeed } from '../../emulators/core/admin';
import { bearer, startTestApp, TestApp } from './app';

/** Tether wired to the cloud emulators: the platform identities seeded, every endpoint pointed there. */
export interface CloudTestApp extends TestApp {
  readonly emulator: Emulator;
  readonly seed: PlatformSeed;
}

export async function startCloudTestApp(env: Record<string, string> = {}): Promise<CloudTestApp> {
  const emulator = await startEmulator();
  const seed = emulator.admin.seedPlatform();
  // The platform's base keys are the SDKs' usual variables, read from the process environment
  // (each test file runs in a process of its own).
  for (const [name, value] of Object.entries(seed.env)) process.env[name] = value;
  delete process.env.http_proxy;
  delete process.env.HTTP_PROXY;
  const app = await startTestApp({ ...cloudEnv(seed), ...env });
  const closeApp = app.close.bind(app);
  return Object.assign(app, {
    emulator,
    seed,
    async close() {
      await closeApp();
      await emulator.close();
    },
  });
}

/** Tether's variables that point it at the emulators as the seeded platform. */
function cloudEnv(seed: PlatformSeed): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: seed.env.AWS_ENDPOINT_URL,
    TETHER_ALIYUN_ENDPOINT_URL: seed.env.TETHER_ALIYUN_ENDPOINT_URL,
    TETHER_TENCENT_ENDPOINT_URL: seed.env.TETHER_TENCENT_ENDPOINT_URL,
    TETHER_AWS_PRINCIPAL_ARN: seed.env.TETHER_AWS_PRINCIPAL_ARN,
    TETHER_ALIYUN_ACCOUNT_ID: seed.env.TETHER_ALIYUN_ACCOUNT_ID,
    TETHER_TENCENT_UIN: seed.env.TETHER_TENCENT_UIN,
  };
}

/** Another replica of `first`: the same database, the same emulators, its own process state. */
export function startReplica(first: CloudTestApp, env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp({ ...cloudEnv(first.seed), ...env });
}

/** A customer account per cloud, with the identifiers each cloud uses. */
export const CUSTOMER = {
  aws: { account: '222222222222', region: 'us-east-1' },
  aliyun: { account: '2222222222222222', region: 'cn-hangzhou', namespace: 'udf' },
  tencent: { account: '100000000002', region: 'ap-guangzhou', namespace: 'default' },
} as const;

export type Cloud = keyof typeof CUSTOMER;

export function roleArnOf(cloud: Cloud, roleName: string): string {
  const account = CUSTOMER[cloud].account;
  if (cloud === 'aws') return `arn:aws:iam::${account}:role/${roleName}`;
  if (cloud === 'aliyun') return `acs:ram::${account}:role/${roleName}`;
  return `qcs::cam::uin/${account}:roleName/${roleName}`;
}

/** Creates a connection for `cloud` through the API and returns its body. */
export async function createRoleConnection(
  t: CloudTestApp,
  adminToken: string,
  cloud: Cloud,
  options: { name?: string; roleName?: string; codeBucket?: string } = {},
): Promise<{ id: string; name: string; auth: { externalId: string; roleArn: string }; [key: string]: unknown }> {
  const customer = CUSTOMER[cloud];
  const roleName = options.roleName ?? `tether-${randomBytes(4).toString('hex')}`;
  const response = await t.http
    .post('/connections')
    .set(bearer(adminToken))
    .send({
      name: options.name ?? `${cloud}_${randomBytes(4).toString('hex')}`,
      provider: cloud,
      region: customer.region,
      auth: { type: 'assume_role', roleArn: roleArnOf(cloud, roleName) },
      functions: { ...('namespace' in customer ? { namespace: customer.namespace } : {}), ...(options.codeBucket ? { codeBucket: options.codeBucket } : {}) },
    });
  if (response.status !== 201) throw new Error(`connection creation failed: ${response.status} ${response.text}`);
  return response.body;
}

/**
 * Installs the role in the customer's emulated account with the trust and permission policies
 * GET /connections/:id/trust-policy renders, as the customer would. `trustPolicy` overrides the
 * rendered one (a policy without the External ID condition, say).
 */
export async function installRole(t: CloudTestApp, adminToken: string, cloud: Cloud, connection: { id: string; auth: { roleArn: string } }, override: { trustPolicy?: unknown; permissionPolicy?: unknown } = {}): Promise<void> {
  const rendered = await t.http.get(`/connections/${connection.id}/trust-policy`).set(bearer(adminToken));
  if (rendered.status !== 200) throw new Error(`trust policy failed: ${rendered.status} ${rendered.text}`);
  const roleName = connection.auth.roleArn.split(/[/]/).pop() as string;
  const account = CUSTOMER[cloud].account;
  try {
    t.emulator.admin.createAccount({ cloud, id: account, name: 'customer' });
  } catch {
    // the account exists already
  }
  t.emulator.admin.createRole({
    cloud,
    account,
    name: roleName,
    trustPolicy: override.trustPolicy ?? rendered.body.trustPolicy,
    permissionPolicies: [override.permissionPolicy ?? rendered.body.permissionPolicy],
  });
}
