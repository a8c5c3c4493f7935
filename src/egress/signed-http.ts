import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { TetherError } from '../common/problem/tether-error';
import type { CloudCredentials } from '../providers/cloud-function-provider';
import { EgressAllowlist, type EgressTarget, matchingRule, parseTarget } from './egress-policy';

/** What the caller asked to send. */
export interface OutboundRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface InboundResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A target that passed every check, pinned to the one address it will be sent to. */
export interface CheckedTarget extends EgressTarget {
  address: string;
  rule: string;
}

/** Headers the signature owns, or that would let a caller steer the connection. */
const RESERVED_HEADERS = new Set(['authorization', 'host', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'keep-alive']);

/** Largest answer relayed to the caller. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Checks a URL against the connection's egress rules and the operator's allowlist, resolving its
 * host once. The address returned is the one connected to: no second lookup can swap in another
 * (DNS rebinding).
 */
export async function checkTarget(rawUrl: string, rules: readonly string[], allowlist: EgressAllowlist, resolve: Resolver = systemResolver): Promise<CheckedTarget> {
  const target = parseTarget(rawUrl);
  const rule = matchingRule(rules, target);
  if (!rule) {
    throw new TetherError('egress-not-allowed', `${target.host}:${target.port} is not allowed by the connection's egress rules${rules.length ? ` (${rules.slice(0, 5).join(', ')}${rules.length > 5 ? ', …' : ''})` : ' (it has none)'}; add "${target.host}:${target.port}" to functions.egress with PATCH /connections/:id.`, { host: target.host, port: target.port });
  }
  let addresses: string[];
  if (isIP(target.host) !== 0) addresses = [target.host];
  else {
    try {
      addresses = await resolve(target.host);
    } catch {
      throw new TetherError('egress-unresolvable', `${target.host} does not resolve; check the URL.`);
    }
  }
  const address = addresses.find((candidate) => allowlist.permits(target.host, candidate));
  if (!address) {
    throw new TetherError('egress-address-refused', `${target.host} resolves to ${addresses.slice(0, 3).join(', ')}, a private, loopback, link-local or metadata address; Tether does not send requests into its own network unless the operator lists the address in TETHER_EGRESS_ALLOWLIST.`, { host: target.host });
  }
  if (target.protocol === 'http:' && !allowlist.permitsPlainHttp(target.host, address)) {
    throw TetherError.field('url', 'must be https://; plain http:// is only for addresses the operator lists in TETHER_EGRESS_ALLOWLIST');
  }
  return { ...target, address, rule };
}

/** Refuses caller headers that the signature or the transport owns. */
export function checkHeaders(headers: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) throw TetherError.field(`headers.${name}`, 'is set by Tether (signature or transport); remove it');
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(lower)) throw TetherError.field(`headers.${name}`, 'is not a valid header name');
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw TetherError.field(`headers.${name}`, 'must be a string without line breaks');
    out[lower] = value;
  }
  return out;
}

/** The region of an `execute-api` host name (`<api>.execute-api.<region>.amazonaws.com[.cn]`). */
export function executeApiRegion(host: string): string | undefined {
  return /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
}

/** Signs a request with SigV4 for service `execute-api`. */
export async function signExecuteApi(target: CheckedTarget, request: { method: string; headers: Record<string, string>; body: Buffer }, region: string, creds: CloudCredentials): Promise<HttpRequest> {
  const defaultPort = target.protocol === 'https:' ? 443 : 80;
  const hostHeader = `${target.host.includes(':') ? `[${target.host}]` : target.host}${target.port === defaultPort ? '' : `:${target.port}`}`;
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of target.url.searchParams) {
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const unsigned = new HttpRequest({
    method: request.method,
    protocol: target.protocol,
    hostname: target.host,
    port: target.port,
    path: target.url.pathname,
    query,
    headers: { ...request.headers, host: hostHeader },
    body: request.body,
  });
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    sha256: Sha256,
    credentials: {
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey.reveal(),
      ...(creds.sessionToken ? { sessionToken: creds.sessionToken.reveal() } : {}),
    },
  });
  return (await signer.sign(unsigned)) as HttpRequest;
}

/**
 * Sends a signed request to the checked address (never re-resolving the host), with TLS verified
 * against the host name. Redirects are not followed: a redirect would leave the checked address.
 */
export function send(target: CheckedTarget, signed: HttpRequest, timeoutMs: number): Promise<InboundResponse> {
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        host: target.address,
        port: target.port,
        method: signed.method,
        path: `${target.url.pathname}${target.url.search}`,
        headers: signed.headers,
        ...(target.protocol === 'https:' && isIP(target.host) === 0 ? { servername: target.host } : {}),
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy();
            reject(new TetherError('upstream-response-too-large', `The endpoint answered more than ${MAX_RESPONSE_BYTES} bytes; Tether relays at most that.`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          resolve({ status: res.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new TetherError('upstream-timeout', `The endpoint did not answer within ${timeoutMs} ms.`)));
    req.on('error', (error) => reject(error instanceof TetherError ? error : new TetherError('upstream-unreachable', `Could not reach ${target.host}:${target.port} (${(error as NodeJS.ErrnoException).code ?? 'connection failed'}).`)));
    if (signed.body) req.end(signed.body as Buffer);
    else req.end();
  });
}

export { parseTarget };
