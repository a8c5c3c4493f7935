import { BlockList, isIP } from 'node:net';
import { TetherError } from '../common/problem/tether-error';

/** A URL a caller asked Tether to reach, taken apart. */
export interface EgressTarget {
  url: URL;
  protocol: 'http:' | 'https:';
  /** Lower case, without IPv6 brackets. */
  host: string;
  port: number;
}

/** Parses and checks a URL's form: http(s) only, no credentials in it. */
export function parseTarget(raw: string): EgressTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw TetherError.field('url', 'is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw TetherError.field('url', 'must be https:// (or http:// to an address the operator allowlisted)');
  if (url.username || url.password) throw TetherError.field('url', 'must not carry a user name or password');
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { url, protocol: url.protocol, host, port };
}

/** Whether `host` matches a rule host: exact, or `*.suffix` for any name below suffix (not suffix itself). */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return p === host;
}

/** The connection's egress rule that allows the target's host and port, if any (rules are `host:port`, like Snowflake's network rules). */
export function matchingRule(rules: readonly string[], target: Pick<EgressTarget, 'host' | 'port'>): string | undefined {
  return rules.find((rule) => {
    const at = rule.lastIndexOf(':');
    const host = at === -1 ? rule : rule.slice(0, at);
    const port = at === -1 ? 443 : Number(rule.slice(at + 1));
    return port === target.port && hostMatches(host, target.host);
  });
}

/**
 * Addresses user-set URLs may not reach unless the operator allowlists them: the platform's own
 * network (RFC 1918, CGNAT, which holds Alibaba's 100.100.100.200 metadata), loopback, link-local
 * (169.254.169.254, the AWS/GCP/Azure/Tencent metadata service), ULA (fd00:ec2::254, the AWS IPv6
 * metadata service), multicast, reserved and documentation ranges.
 */
const REFUSED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) REFUSED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) REFUSED.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 (64:ff9b::/96) IPv6 address. */
export function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return undefined;
}

/** Whether an address is private, loopback, link-local, metadata or otherwise not on the public internet. */
export function isRefusedAddress(address: string): boolean {
  const v4 = isIP(address) === 6 ? embeddedIpv4(address) : undefined;
  if (v4) return REFUSED.check(v4, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return REFUSED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The operator's TETHER_EGRESS_ALLOWLIST: host names (exact or `*.suffix`), addresses and CIDRs. */
export class EgressAllowlist {
  private readonly hosts: string[] = [];
  private readonly networks = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits] = entry.split('/');
      const family = isIP(address);
      if (family !== 0) this.networks.addSubnet(address, bits === undefined ? (family === 4 ? 32 : 128) : Number(bits), family === 4 ? 'ipv4' : 'ipv6');
      else this.hosts.push(entry.toLowerCase());
    }
  }

  /** Whether the operator listed this host name. */
  allowsHost(host: string): boolean {
    return this.hosts.some((pattern) => hostMatches(pattern, host));
  }

  /** Whether the operator listed this address (directly or by CIDR). */
  allowsAddress(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    const v4 = family === 6 ? embeddedIpv4(address) : undefined;
    if (v4) return this.networks.check(v4, 'ipv4');
    return this.networks.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** Whether a resolved address of `host` may be reached: public, or listed by the operator. */
  permits(host: string, address: string): boolean {
    return !isRefusedAddress(address) || this.allowsHost(host) || this.allowsAddress(address);
  }

  /** Plain http is for destinations the operator vouched for (emulators, private endpoints), never the internet. */
  permitsPlainHttp(host: string, address: string): boolean {
    return this.allowsHost(host) || this.allowsAddress(address);
  }
}
