import { Check, accepted, refused } from '../cloud-identifiers';

/** S3, OSS and COS all cap object keys at 1024 bytes of UTF-8. */
export const MAX_CODE_KEY_BYTES = 1024;

/**
 * Whether `key` may name a package in the code bucket. The buckets themselves take almost any
 * bytes, but a key is also a path segment of Tether's URL and a line in audit events, so it must
 * be printable, relative (no leading `/`), never climb (`..`), and not name a "folder" (trailing `/`).
 */
export function checkCodeKey(key: string): Check {
  if (key.length === 0) return refused('must not be empty: give the object key, e.g. udf/score.zip');
  const utf8 = Buffer.from(key, 'utf8');
  // A lone surrogate has no UTF-8 form: encoding replaces it, so the round trip differs.
  if (utf8.toString('utf8') !== key) return refused('must be valid Unicode');
  if (utf8.length > MAX_CODE_KEY_BYTES) return refused(`must be at most ${MAX_CODE_KEY_BYTES} bytes of UTF-8`);
  // C0 and C1 controls and DEL: invisible in logs and refused or mangled by some clouds' consoles.
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(key)) return refused('must be printable: no control characters');
  if (key.startsWith('/')) return refused('must not start with "/": keys are relative to the code bucket');
  if (key.endsWith('/')) return refused('must not end with "/": name the package, not a folder');
  if (key.includes('..')) return refused('must not contain ".."');
  if (key.includes('\\')) return refused('must use "/" between folders, not "\\"');
  return accepted;
}

/** Whether a listing prefix is acceptable: the key rules, except that it may end with "/". */
export function checkCodePrefix(prefix: string): Check {
  if (prefix === '') return accepted;
  return checkCodeKey(prefix.endsWith('/') ? `${prefix}x` : prefix);
}
