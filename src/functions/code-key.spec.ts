import { describe, expect, it } from 'vitest';
import { checkCodeKey, checkCodePrefix, MAX_CODE_KEY_BYTES } from './code-key';

describe('checkCodeKey', () => {
  it.each(['score.zip', 'udf/score.zip', 'a/b/c/v1.2.zip', 'udf/名前.zip', 'x'.repeat(MAX_CODE_KEY_BYTES)])('accepts %s', (key) => {
    expect(checkCodeKey(key)).toEqual({ ok: true });
  });

  it.each([
    ['', 'empty'],
    ['/udf/score.zip', 'start with "/"'],
    ['udf/', 'end with "/"'],
    ['../score.zip', '..'],
    ['udf/../../etc/passwd', '..'],
    ['udf/a..b.zip', '..'],
    ['udf\\score.zip', '\\'],
    ['udf/\u0000.zip', 'control'],
    ['udf/\n.zip', 'control'],
    ['udf/\u0085.zip', 'control'],
    ['udf/\u007f.zip', 'control'],
    ['\uD800.zip', 'Unicode'],
    ['x'.repeat(MAX_CODE_KEY_BYTES + 1), 'bytes'],
    // 342 three-byte characters are 1026 bytes although only 342 code units.
    ['界'.repeat(342), 'bytes'],
  ])('refuses %j (%s)', (key, reason) => {
    const check = checkCodeKey(key);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toContain(reason);
  });
});

describe('checkCodePrefix', () => {
  it('takes an empty prefix and a folder prefix, refuses one that climbs', () => {
    expect(checkCodePrefix('')).toEqual({ ok: true });
    expect(checkCodePrefix('udf/')).toEqual({ ok: true });
    expect(checkCodePrefix('udf/sc')).toEqual({ ok: true });
    expect(checkCodePrefix('../').ok).toBe(false);
    expect(checkCodePrefix('/udf').ok).toBe(false);
  });
});
