import { createServer } from 'node:net';
import pino, { type Logger } from 'pino';
import type { CloudProvider } from '../../cloud-identifiers';
import { Sensitive } from '../../common/logging/sensitive';
import { type PolicyDocument, type PolicyInput, renderPermissionPolicy, renderTrustPolicy } from '../../trust-policies/render';
import type { FunctionCapability } from '../../trust-policies/render/policy-input';
import type { CloudCredentials } from '../cloud-function-provider';

/**
 * Test helpers for the provider specs. Deliberately free of any import from `test/`: this folder
 * is part of the build, the emulators are not.
 */

export interface CustomerSetup {
  provider: CloudProvider;
  region: string;
  accountId: string;
  roleName: string;
  /** The platform principal as the trust policy writes it (the emulator's seed gives it). */
  principal: string;
  externalId: string;
  namespace?: string;
  codeBucket?: string;
  /** `['invoke']` unless given. */
  capabilities?: FunctionCapability[];
  executionRoleArn?: string;
}

/** The trust and permission policies Tether shows the customer, rendered by the real renderers. */
export function customerPolicies(setup: CustomerSetup): { trustPolicy: PolicyDocument; permissionPolicy: PolicyDocument } {
  const input: PolicyInput = {
    provider: setup.provider,
    region: setup.region,
    role: { accountId: setup.accountId, roleName: setup.roleName },
    principal: setup.principal,
    externalIds: [setup.externalId],
    functions: {
      capabilities: setup.capabilities ?? ['invoke'],
      ...(setup.namespace ? { namespace: setup.namespace } : {}),
      ...(setup.codeBucket ? { codeBucket: setup.codeBucket } : {}),
      ...(setup.executionRoleArn ? { executionRoleArn: setup.executionRoleArn } : {}),
    },
  };
  return { trustPolicy: renderTrustPolicy(input), permissionPolicy: renderPermissionPolicy(input) };
}

/** Emulator keys (`{accessKeyId, secret}`) as CloudCredentials. */
export function keysOf(keys: { accessKeyId: string; secret: string }): CloudCredentials {
  return { accessKeyId: keys.accessKeyId, secretAccessKey: new Sensitive(keys.secret) };
}

/** A port on 127.0.0.1 that nothing listens on (connection refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A pino logger writing into an array of raw JSON lines, to assert what providers log. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

/** What a test knows about issued credentials, as plain strings (to hunt for them in logs). */
export function secretsOf(creds: CloudCredentials): string[] {
  return [creds.secretAccessKey.reveal(), ...(creds.sessionToken ? [creds.sessionToken.reveal()] : [])];
}
