import { createHash, createHmac } from 'node:crypto';
import type { DeployedFunction, FunctionUpdate } from '../providers/deployment';

/** The configuration of a deploy, environment values already resolved (secret references opened). */
export interface DesiredConfiguration {
  runtime: string;
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  description?: string;
  executionRoleArn?: string;
  environment: Readonly<Record<string, string>>;
}

/** What Tether recorded after its last deploy of the function. */
export interface RecordedDeployment {
  packageSha256: string;
  configurationHash: string;
  cloudCodeHash: string | null;
  cloudLastModified: string | null;
}

/** What a deploy has to do: nothing, create the function, or update parts of it. */
export type DeploymentPlan = { action: 'unchanged' } | { action: 'create' } | { action: 'update'; update: FunctionUpdate };

const sortedEntries = (environment: Readonly<Record<string, string>>) => Object.entries(environment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * SHA-256 over the configuration. Environment values enter only through an HMAC under a key kept
 * sealed beside the row, so the stored hash cannot be used to guess a value (a plain hash of a
 * short value is cheap to brute-force).
 */
export function configurationHash(config: DesiredConfiguration, macKey: Buffer): string {
  const entries = sortedEntries(config.environment);
  const environmentMac = createHmac('sha256', macKey).update(JSON.stringify(entries)).digest('hex');
  const canonical = {
    runtime: config.runtime,
    handler: config.handler,
    memoryMb: config.memoryMb,
    timeoutSeconds: config.timeoutSeconds,
    description: config.description ?? '',
    executionRoleArn: config.executionRoleArn ?? '',
    environmentNames: entries.map(([name]) => name),
    environmentMac,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * Decides what a deploy must write. Nothing only when Tether's record, the desired package and
 * configuration, and the cloud's current state all agree: a function changed behind Tether's back
 * (another code hash, another modification time, other settings) is rewritten.
 *
 * `packageSha256` is undefined when the package carries no Tether checksum (uploaded some other
 * way): its content is then unknown and the code is always rewritten.
 */
export function planDeployment(
  recorded: RecordedDeployment | undefined,
  desired: { packageSha256: string | undefined; configurationHash: string; config: DesiredConfiguration },
  current: DeployedFunction | undefined,
): DeploymentPlan {
  if (!current) return { action: 'create' };
  if (!recorded) return { action: 'update', update: { code: true, configuration: true } };
  const codeDrifted = recorded.cloudCodeHash !== (current.cloudCodeHash ?? null);
  const code = codeDrifted || desired.packageSha256 === undefined || desired.packageSha256 !== recorded.packageSha256;
  const settingsDiffer =
    current.runtime !== desired.config.runtime ||
    current.handler !== desired.config.handler ||
    current.memoryMb !== desired.config.memoryMb ||
    current.timeoutSeconds !== desired.config.timeoutSeconds ||
    !sameNames(current.environmentKeys, Object.keys(desired.config.environment));
  // A new modification time with the same code means someone changed the configuration.
  const modifiedElsewhere = !codeDrifted && recorded.cloudLastModified !== (current.lastModified ?? null);
  const configuration = settingsDiffer || modifiedElsewhere || desired.configurationHash !== recorded.configurationHash;
  if (!code && !configuration) return { action: 'unchanged' };
  return { action: 'update', update: { code, configuration } };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((name) => set.has(name));
}
