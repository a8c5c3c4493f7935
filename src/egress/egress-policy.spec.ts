import { describe, expect, it } from 'vitest';
import { EgressAllowlist, embeddedIpv4, isRefusedAddress, matchingRule, parseTarget } from './egress-policy';

describe('egress policy', () => {
  it('matches host:port rules exactly or by *.suffix, with the scheme\'s default port', () => {
    const rules = ['abc123.execute-api.us-east-1.amazonaws.com:443', '*.example.com:8443'];
    expect(matchingRule(rules, parseTarget('https://abc123.execute-api.us-east-1.amazonaws.com/dev/hello'))).toBe(rules[0]);
    expect(matchingRule(rules, parseTarget('https://ABC123.execute-api.us-east-1.amazonaws.com:443/dev'))).toBe(rules[0]);
    expect(matchingRule(rules, parseTarget('https://abc123.execute-api.us-east-1.amazonaws.com:444/dev'))).toBeUndefined();
    expect(matchingRule(rules, parseTarget('https://evil.com/abc123.execute-api.us-east-1.amazonaws.com'))).toBeUndefined();
    expect(matchingRule(rules, parseTarget('https://api.example.com:8443/x'))).toBe(rules[1]);
    expect(matchingRule(rules, parseTarget('https://example.com:8443/x'))).toBeUndefined();
    expect(matchingRule(rules, parseTarget('https://api.example.com.evil.net:8443/x'))).toBeUndefined();
  });

  it('refuses URLs that are not http(s) or carry credentials', () => {
    expect(() => parseTarget('file:///etc/passwd')).toThrow(/https/);
    expect(() => parseTarget('https://user:pw@example.com/')).toThrow(/password/);
    expect(() => parseTarget('not a url')).toThrow(/absolute/);
  });

  it('refuses private, loopback, link-local and metadata addresses', () => {
    for (const address of ['10.0.0.1', '127.0.0.1', '169.254.169.254', '100.100.100.200', '172.16.5.4', '192.168.1.1', '0.0.0.0', '::1', 'fd00:ec2::254', 'fe80::1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::10.0.0.1']) {
      expect(isRefusedAddress(address), address).toBe(true);
    }
    for (const address of ['54.239.28.85', '2600:1f18::1', '::ffff:54.239.28.85']) expect(isRefusedAddress(address), address).toBe(false);
    expect(embeddedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
  });

  it('lets the operator allowlist hosts and CIDRs', () => {
    const allow = new EgressAllowlist(['127.0.0.1/32', '*.internal.corp', 'fd12::/16']);
    expect(allow.permits('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(allow.permits('localhost', '127.0.0.2')).toBe(false);
    expect(allow.permits('x.internal.corp', '10.1.2.3')).toBe(true);
    expect(allow.permits('x', 'fd12::5')).toBe(true);
    expect(allow.permits('x', '169.254.169.254')).toBe(false);
    expect(allow.permits('x', '54.239.28.85')).toBe(true);
    expect(allow.permitsPlainHttp('x', '54.239.28.85')).toBe(false);
    expect(allow.permitsPlainHttp('x', '127.0.0.1')).toBe(true);
  });
});

describe('checkTarget', () => {
  it('resolves once and pins the first permitted address; refuses names that resolve inward', async () => {
    const { checkTarget } = await import('./signed-http.js');
    const allow = new EgressAllowlist([]);
    const rules = ['api.example.com:443', 'rebind.example.com:443'];
    let lookups = 0;
    const resolver = async (host: string) => {
      lookups += 1;
      return host === 'api.example.com' ? ['54.239.28.85'] : ['169.254.169.254'];
    };
    expect(await checkTarget('https://api.example.com/dev', rules, allow, resolver)).toMatchObject({ address: '54.239.28.85', port: 443, rule: rules[0] });
    await expect(checkTarget('https://rebind.example.com/dev', rules, allow, resolver)).rejects.toMatchObject({ code: 'egress-address-refused' });
    await expect(checkTarget('https://other.example.com/dev', rules, allow, resolver)).rejects.toMatchObject({ code: 'egress-not-allowed' });
    expect(lookups).toBe(2);
    await expect(checkTarget('http://api.example.com:443/dev', rules, allow, resolver)).rejects.toMatchObject({ code: 'invalid-request' });
  });
});
