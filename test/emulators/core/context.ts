import { timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock';
import type { Counters } from './counters';
import type { Fault, Faults } from './faults';
import type { Cloud, State } from './state';

/** How emulated deployments behave; the admin API changes these (`configureDeployment`). */
export interface DeploymentSettings {
  /** How long a created or updated function stays pending before it turns active (wall-clock ms). */
  pendingMs: number;
  /** Lambda code storage per account and region (real default 75 GB); exceeding it is CodeStorageExceededException. */
  lambdaCodeStorageBytes: number;
}

export const DEFAULT_DEPLOYMENT_SETTINGS: DeploymentSettings = { pendingMs: 300, lambdaCodeStorageBytes: 75 * 1024 ** 3 };

/** What every service handler gets: the shared in-memory world. */
export interface EmulatorContext {
  state: State;
  clock: Clock;
  faults: Faults;
  counters: Counters;
  /** Aliyun signature nonces seen recently (a reuse within 15 min is refused). */
  nonces: Map<string, number>;
  deployment: DeploymentSettings;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Applies an injected fault for one call: waits its latency, and returns it when it carries an
 * error code the service must answer with. Called after authentication, where real throttling sits.
 */
export async function injectFault(ctx: EmulatorContext, cloud: Cloud, service: string, action: string): Promise<Fault | undefined> {
  const fault = ctx.faults.take(cloud, service, action);
  if (!fault) return undefined;
  if (fault.latencyMs) await sleep(fault.latencyMs);
  return fault.code ? fault : undefined;
}

/** Timing-safe comparison of two hex/base64 signatures. */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
