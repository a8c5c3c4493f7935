import { createHash } from 'node:crypto';
import { type Check, matches } from './check';
import type { CloudProvider } from './cloud-provider';

// The characters all three clouds accept in RoleSessionName: Aliyun allows only letters, digits
// and . @ - _, which AWS's and Tencent's [\w+=,.@-] include.
const PORTABLE_UNSAFE = /[^A-Za-z0-9.@_-]+/g;
const MIN_LENGTH = 2;
// AWS and Aliyun cap RoleSessionName at 64 characters; Tencent at 128.
const MAX_LENGTH: Record<CloudProvider, number> = { aws: 64, aliyun: 64, tencent: 128 };
const HASH_LENGTH = 8;

/**
 * Builds a RoleSessionName from parts (environment, connection, caller …) that every cloud
 * accepts: unsafe characters become `-`, parts are joined by `-`, and a name over the limit is
 * cut and given a short hash of the whole, so two long names differing at the end stay apart.
 * Without `provider`, the result fits the strictest cloud (64 characters).
 */
export function sessionName(parts: readonly string[], provider?: CloudProvider): string {
  const maxLength = provider ? MAX_LENGTH[provider] : Math.min(...Object.values(MAX_LENGTH));
  const joined = parts
    .map((part) => part.replace(PORTABLE_UNSAFE, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, ''))
    .filter((part) => part !== '')
    .join('-');
  const name = joined.length >= MIN_LENGTH ? joined : `tether${joined === '' ? '' : `-${joined}`}`;
  if (name.length <= maxLength) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_LENGTH);
  const head = name.slice(0, maxLength - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

const SESSION_NAME: Record<CloudProvider, { pattern: RegExp; rule: string }> = {
  aws: { pattern: /^[\w+=,.@-]{2,64}$/, rule: 'An AWS RoleSessionName is 2–64 letters, digits or + = , . @ _ -.' },
  aliyun: { pattern: /^[A-Za-z0-9.@_-]{2,64}$/, rule: 'An Alibaba Cloud RoleSessionName is 2–64 letters, digits or . @ - _.' },
  tencent: { pattern: /^[\w+=,.@-]{2,128}$/, rule: 'A Tencent Cloud RoleSessionName is 2–128 letters, digits or + = , . @ _ -.' },
};

/** Checks a session name a user supplied for a connection against the cloud's RoleSessionName rule. */
export function checkSessionName(provider: CloudProvider, name: string): Check {
  const { pattern, rule } = SESSION_NAME[provider];
  return matches(name, pattern, rule);
}
