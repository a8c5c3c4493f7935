import type { Cloud } from './state';

/** An injected failure: the next `times` matching calls answer `code` (in the service's own error shape) after `latencyMs`. */
export interface FaultSpec {
  cloud: Cloud;
  /** `sts`, `lambda`, `s3`, `execute-api`, `fc`, `scf`. */
  service: string;
  /** Action name (`AssumeRole`, `Invoke`, `InvokeFunction`, `GetObject`…); all actions when omitted. */
  action?: string;
  /** Error code to answer; when omitted the fault only adds latency. */
  code?: string;
  status?: number;
  message?: string;
  /** How many calls it affects; unlimited when omitted. */
  times?: number;
  latencyMs?: number;
}

export interface Fault extends FaultSpec {
  id: number;
  remaining: number;
  hits: number;
}

export class Faults {
  private next = 1;
  private list: Fault[] = [];

  add(spec: FaultSpec): Fault {
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) throw new Error('times must be a positive integer');
    if (spec.code === undefined && spec.latencyMs === undefined) throw new Error('a fault needs a code, a latencyMs, or both');
    const fault: Fault = { ...spec, id: this.next++, remaining: spec.times ?? Number.POSITIVE_INFINITY, hits: 0 };
    this.list.push(fault);
    return fault;
  }

  /** Takes the first live fault matching the call, consuming one of its `times`. */
  take(cloud: Cloud, service: string, action: string): Fault | undefined {
    const fault = this.list.find((f) => f.remaining > 0 && f.cloud === cloud && f.service === service && (f.action === undefined || f.action.toLowerCase() === action.toLowerCase()));
    if (!fault) return undefined;
    fault.remaining -= 1;
    fault.hits += 1;
    return fault;
  }

  all(): Fault[] {
    return this.list.map((f) => ({ ...f }));
  }

  clear(): void {
    this.list = [];
  }
}
