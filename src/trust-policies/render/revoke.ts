/**
 * How to stop sessions issued before a revocation. `supported` says whether the cloud's policy
 * language can express "sessions issued before T"; when it cannot, `statement` says what to do instead.
 */
export interface RevokeDenyPolicy {
  supported: boolean;
  /** The policy to attach to the role, when `supported`. */
  policy?: object;
  /** A human sentence: what to do with `policy`, or the alternative. */
  statement: string;
}

// AWS, Aliyun and Tencent all cap a role session at 12 hours (DurationSeconds ≤ 43200).
export const LONGEST_SESSION_SECONDS = 43_200;

/** When the last session that could have been issued before `revokedAt` has certainly expired. */
export function lastPossibleExpiry(revokedAt: Date): Date {
  return new Date(revokedAt.getTime() + LONGEST_SESSION_SECONDS * 1000);
}
