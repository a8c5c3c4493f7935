import type { Cloud } from './state';

export type AssumeRoleOutcome = 'ok' | 'denied' | 'error';

/** One AssumeRole attempt, as the emulator saw it: lets tests prove what Tether sent. */
export interface AssumeRoleAttempt {
  cloud: Cloud;
  roleArn: string;
  callerArn: string;
  outcome: AssumeRoleOutcome;
  /** Error code when not ok. */
  code?: string;
  externalId?: string;
  sessionName?: string;
  durationSeconds?: number;
  sessionPolicy?: unknown;
  at: string;
}

export interface CountersSnapshot {
  /** `cloud:service:action` -> calls that reached the service (signed or not). */
  calls: Record<string, number>;
  /** role ARN -> AssumeRole outcomes. */
  assumeRole: Record<string, { ok: number; denied: number; error: number }>;
  /** `cloud:account:region:scope/name` -> invocations that ran (throttled ones excluded). */
  invocations: Record<string, number>;
}

export class Counters {
  private calls = new Map<string, number>();
  private assume = new Map<string, { ok: number; denied: number; error: number }>();
  private invocations = new Map<string, number>();
  private attempts: AssumeRoleAttempt[] = [];

  call(cloud: Cloud, service: string, action: string): void {
    const key = `${cloud}:${service}:${action}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  assumeRole(attempt: AssumeRoleAttempt): void {
    const entry = this.assume.get(attempt.roleArn) ?? { ok: 0, denied: 0, error: 0 };
    entry[attempt.outcome] += 1;
    this.assume.set(attempt.roleArn, entry);
    this.attempts.push(attempt);
  }

  invocation(functionKey: string): void {
    this.invocations.set(functionKey, (this.invocations.get(functionKey) ?? 0) + 1);
  }

  snapshot(): CountersSnapshot {
    return {
      calls: Object.fromEntries(this.calls),
      assumeRole: Object.fromEntries([...this.assume].map(([k, v]) => [k, { ...v }])),
      invocations: Object.fromEntries(this.invocations),
    };
  }

  assumeRoleAttempts(filter: { cloud?: Cloud; roleArn?: string } = {}): AssumeRoleAttempt[] {
    return this.attempts.filter((a) => (!filter.cloud || a.cloud === filter.cloud) && (!filter.roleArn || a.roleArn === filter.roleArn));
  }

  reset(): void {
    this.calls.clear();
    this.assume.clear();
    this.invocations.clear();
    this.attempts = [];
  }
}
