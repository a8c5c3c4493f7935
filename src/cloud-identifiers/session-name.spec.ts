import { describe, expect, it } from 'vitest';
import { checkSessionName, sessionName } from './session-name';

describe('sessionName', () => {
  it('joins parts with - and keeps portable characters', () => {
    expect(sessionName(['tether', 'prod', 'udf_noah'])).toBe('tether-prod-udf_noah');
    expect(sessionName(['tether', 'alice@example.com'])).toBe('tether-alice@example.com');
  });

  it('replaces characters Aliyun refuses (+ = , space, non-ASCII) and collapses dashes', () => {
    expect(sessionName(['tether', 'a+b=c,d e', 'équipe'])).toBe('tether-a-b-c-d-e-quipe');
    expect(sessionName(['--', 'x', ''])).toBe('tether-x');
  });

  it('pads a name shorter than two characters', () => {
    expect(sessionName([])).toBe('tether');
    expect(sessionName(['a'])).toBe('tether-a');
  });

  it('cuts long names to 64 characters with a hash, so names differing at the end stay distinct', () => {
    const long = 'c'.repeat(80);
    const first = sessionName(['tether', long, 'one']);
    const second = sessionName(['tether', long, 'two']);
    expect(first).toHaveLength(64);
    expect(second).toHaveLength(64);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^tether-c+-[0-9a-f]{8}$/);
  });

  it('allows 128 characters for Tencent', () => {
    const name = sessionName(['t'.repeat(100)], 'tencent');
    expect(name).toBe('t'.repeat(100));
    expect(sessionName(['t'.repeat(200)], 'tencent')).toHaveLength(128);
    expect(sessionName(['t'.repeat(100)], 'aws')).toHaveLength(64);
  });

  it('produces names every cloud accepts', () => {
    const samples = [['tether', 'ünïcödé/with spaces', 'x'.repeat(90)], ['@', '.'], ['a=b'], ['Ω']];
    for (const parts of samples) {
      const name = sessionName(parts);
      expect(checkSessionName('aws', name)).toEqual({ ok: true });
      expect(checkSessionName('aliyun', name)).toEqual({ ok: true });
      expect(checkSessionName('tencent', name)).toEqual({ ok: true });
    }
  });
});

describe('checkSessionName', () => {
  it('applies each cloud rule', () => {
    expect(checkSessionName('aws', 'a+b=c')).toEqual({ ok: true });
    expect(checkSessionName('aliyun', 'a+b=c')).toEqual({ ok: false, message: 'An Alibaba Cloud RoleSessionName is 2–64 letters, digits or . @ - _.' });
    expect(checkSessionName('tencent', 'x'.repeat(128))).toEqual({ ok: true });
    expect(checkSessionName('aws', 'x'.repeat(65)).ok).toBe(false);
    expect(checkSessionName('aws', 'x').ok).toBe(false);
  });
});
