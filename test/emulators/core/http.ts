import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** A request as the emulator sees it: the raw wire path (never decoded, signatures need it) plus the exact body bytes. */
export interface EmuRequest {
  method: string;
  /** Path exactly as it came on the wire, percent-encoding untouched. */
  rawPath: string;
  /** Query string exactly as it came on the wire, without the `?`. */
  rawQuery: string;
  /** Decoded query pairs, in wire order. */
  query: Array<[string, string]>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface EmuResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

export function header(req: EmuRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

export function queryParam(req: EmuRequest, name: string): string | undefined {
  return req.query.find(([k]) => k === name)?.[1];
}

/** Decodes `a=b&c=d` the way servers do (`+` is a space in query strings and form bodies). */
export function parseQueryString(raw: string): Array<[string, string]> {
  if (raw === '') return [];
  return raw.split('&').filter((part) => part !== '').map((part) => {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    return [safeDecode(key), safeDecode(value)];
  });
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

export async function readRequest(msg: IncomingMessage): Promise<EmuRequest> {
  const chunks: Buffer[] = [];
  // Works the same for content-length and chunked transfer encoding (the Aliyun FC SDK sends chunked bodies).
  for await (const chunk of msg) chunks.push(chunk as Buffer);
  const url = msg.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  return { method: (msg.method ?? 'GET').toUpperCase(), rawPath, rawQuery, query: parseQueryString(rawQuery), headers: msg.headers, body: Buffer.concat(chunks) };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmuResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function xml(status: number, body: string, headers: Record<string, string> = {}): EmuResponse {
  return { status, headers: { 'content-type': 'text/xml', ...headers }, body };
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `<Tag>value</Tag>`, or nothing when the value is undefined. */
export function el(tag: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

/** Splits an `Authorization: SCHEME k=v, k=v` header into its scheme and fields. */
export function parseAuthorization(value: string | undefined): { scheme: string; fields: Record<string, string> } | undefined {
  if (!value) return undefined;
  const space = value.indexOf(' ');
  if (space < 0) return { scheme: value, fields: {} };
  const fields: Record<string, string> = {};
  for (const part of value.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return { scheme: value.slice(0, space), fields };
}
