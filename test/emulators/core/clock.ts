/**
 * The emulator's notion of time.
 *
 * `now()` is wall time plus an offset the admin API can move forward: it decides when credentials
 * expire, what expiration STS writes, and what `aws:CurrentTime`-style policy conditions see.
 * Signature timestamp skew is checked against `wallNow()` instead, because the SDKs sign with the
 * real clock: moving the emulator's clock forward must not make every request "stale".
 */
export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  wallNow(): Date {
    return new Date();
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error('advanceSeconds must be a non-negative number');
    this.offsetMs += seconds * 1000;
  }

  get offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

/** `2030-01-01T00:00:00Z`: the ISO form every cloud uses for Expiration, without milliseconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
