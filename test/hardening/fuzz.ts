import fc from 'fast-check';
import { exampleOf, Operation, Schema } from './api-surface';

/** One generated request, before it is sent. */
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Raw body text (already serialised), or undefined for none. */
  payload?: string;
  /** What the generator did to the body, for the report of a failing case. */
  bodyKind: 'none' | 'valid' | 'mutated' | 'random' | 'malformed' | 'deep' | 'wrong-content-type';
}

const HUGE = 'x'.repeat(20_000);
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u0000abc',
  '\uD800',
  '\uFEFF',
  '𝕋𝕖𝕥𝕙𝕖𝕣',
  'Ж'.repeat(3000),
  'é'.repeat(70),
  '../../etc/passwd',
  "' OR 1=1 --",
  '"; DROP TABLE secrets; --',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '%s%s%n',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'arn:aws:iam::123:role/x',
  HUGE,
];

export const oddString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** Values of every JSON type, for "wrong type" mutations. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 31), 1e308, 0.5),
  oddString,
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string(), fc.constant(null)), { maxKeys: 4 }),
  fc.constant({ __proto__: { isAdmin: true } }),
  fc.constant([[[[[]]]]]),
);

/** A value that fits the schema (roughly), so mutations reach past the first check. */
function fitting(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object': {
      const props = Object.entries(schema.properties ?? {});
      if (props.length === 0) return fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
      const required = new Set(schema.required ?? []);
      return fc.record(Object.fromEntries(props.map(([k, v]) => [k, fitting(v, depth + 1)])), { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)) });
    }
    case 'array':
      return fc.array(fitting(schema.items, depth + 1), { maxLength: 3 });
    case 'number':
    case 'integer':
      return fc.oneof(fc.integer({ min: schema.minimum ?? -10, max: schema.maximum ?? 100_000 }), fc.constant(exampleOf(schema)));
    case 'boolean':
      return fc.boolean();
    default:
      if (schema.example !== undefined) return fc.oneof(fc.constant(schema.example), fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/));
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.format === 'uuid') return fc.uuid();
      return fc.string({ maxLength: 30 });
  }
}

/** Applies 1–3 mutations at random places of a JSON value: wrong types, nulls, drops, extra fields. */
function mutate(value: unknown): fc.Arbitrary<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (path.length > 4) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
  const one = fc.tuple(fc.constantFrom(...paths), fc.constantFrom('replace', 'delete', 'extra'), wrongValue, fc.constantFrom('surprise', '__proto__', 'constructor', 'id', 'workspaceId', 'isBootstrap', 'value'));
  return fc.array(one, { minLength: 1, maxLength: 3 }).map((edits) => {
    let out = structuredClone(value);
    for (const [path, kind, shared, extraKey] of edits) {
      // Constant arbitraries hand out one object; a copy per edit keeps the body a tree, never a cycle.
      const replacement = shared === undefined ? undefined : structuredClone(shared);
      if (path.length === 0) {
        if (kind === 'extra' && out && typeof out === 'object' && !Array.isArray(out)) Object.defineProperty(out, extraKey, { value: replacement, enumerable: true, configurable: true, writable: true });
        else out = replacement;
        continue;
      }
      let parent: any = out;
      for (const key of path.slice(0, -1)) parent = parent?.[key];
      if (!parent || typeof parent !== 'object') continue;
      const last = path[path.length - 1];
      if (kind === 'delete') delete parent[last];
      else if (kind === 'replace') parent[last] = replacement;
      else if (typeof parent[last] === 'object' && parent[last] && !Array.isArray(parent[last])) Object.defineProperty(parent[last], extraKey, { value: replacement, enumerable: true, configurable: true, writable: true });
    }
    return out;
  });
}

const MALFORMED = ['{', '{"a":', 'nul', '{"name": "x",}', "{'name': 'x'}", '\u0000', '[1,2', '"just a string"', '12', 'true', '{"name":"\\ud800"}', '{"a":1}{"b":2}', '\uFEFF{}', '{"__proto__": {"isBootstrap": true}}', '{"constructor": {"prototype": {"role": "admin"}}}'];
const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', 'application/jsonx', 'application/zip', '*/*', ';;;', 'application/json\u0000'];

function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Path parameter values: the real ones, ids that are not ids, odd bytes (some sent raw). */
function pathValue(real: readonly string[]): fc.Arbitrary<{ raw: boolean; value: string }> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...real).map((value) => ({ raw: false, value })) },
    { weight: 1, arbitrary: fc.uuid().map((value) => ({ raw: false, value })) },
    { weight: 2, arbitrary: oddString.filter((s) => s.length < 5000).map((value) => ({ raw: false, value })) },
    { weight: 1, arbitrary: fc.constantFrom('%ZZ', '%00', '%', '..', '.', '%2e%2e%2f', 'a%2Fb', '%C0%AF', '%FF%FE', '00000000-0000-0000-0000-00000000000g', '00000000-0000-0000-0000-000000000000', 'x'.repeat(300)).map((value) => ({ raw: true, value })) },
  );
}

function queryValue(schema: Schema): fc.Arbitrary<string | string[] | undefined> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fitting(schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) },
    { weight: 1, arbitrary: oddString.filter((s) => s.length < 3000) },
    { weight: 1, arbitrary: fc.constantFrom('-1', '0', '201', '1e309', 'NaN', '0x10', '1.5', '') },
    { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 5 }), { minLength: 2, maxLength: 3 }) },
  );
}

/**
 * Requests for one operation: its path filled with real and odd values, its query and header
 * parameters mutated, and its body valid, mutated, random, malformed, deeply nested or sent
 * under a wrong content type.
 */
export function requestsFor(op: Operation, ctx: { pathValues: Record<string, readonly string[]>; token: string; etag: () => string }): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const headerParams = op.parameters.filter((p) => p.in === 'header');
  const paths = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, pathValue(ctx.pathValues[p.name] ?? ['x'])])));
  const queries = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, queryValue(p.schema)])));
  const headers = fc.record(Object.fromEntries(headerParams.map((p) => [p.name, fc.oneof(fc.constant<string | undefined>(undefined), fc.constant('real'), fc.constantFrom('*', '"0"', 'W/"1"', '', 'garbage', '"99999999999999999999"'))])));
  const example = exampleOf(op.body);
  const body: fc.Arbitrary<Pick<FuzzRequest, 'payload' | 'bodyKind'> & { contentType?: string }> = op.body
    ? fc.oneof(
        { weight: 2, arbitrary: fitting(op.body).map((v) => ({ payload: JSON.stringify(v), bodyKind: 'valid' as const, contentType: 'application/json' })) },
        { weight: 5, arbitrary: fitting(op.body).chain((v) => mutate(v ?? example)).map((v) => ({ payload: JSON.stringify(v) ?? 'null', bodyKind: 'mutated' as const, contentType: 'application/json' })) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ payload: JSON.stringify(v), bodyKind: 'random' as const, contentType: 'application/json' })) },
        { weight: 2, arbitrary: fc.constantFrom(...MALFORMED).map((payload) => ({ payload, bodyKind: 'malformed' as const, contentType: 'application/json' })) },
        {
          weight: 1,
          arbitrary: fc.tuple(fc.constantFrom(50, 1000, 20_000), fc.constantFrom('array' as const, 'object' as const), fc.constantFrom(...Object.keys(op.body.properties ?? { a: 1 }))).map(([depth, kind, key]) => ({
            payload: `{${JSON.stringify(key)}:${deepJson(depth, kind)}}`,
            bodyKind: 'deep' as const,
            contentType: 'application/json',
          })),
        },
        { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES, undefined).map((contentType) => ({ payload: JSON.stringify(example), bodyKind: 'wrong-content-type' as const, contentType })) },
      )
    : fc.oneof(
        { weight: 4, arbitrary: fc.constant({ payload: undefined, bodyKind: 'none' as const }) },
        { weight: 1, arbitrary: fc.constantFrom(...MALFORMED).map((payload) => ({ payload, bodyKind: 'malformed' as const, contentType: 'application/json' })) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => ({ payload: JSON.stringify(v), bodyKind: 'random' as const, contentType: 'application/json' })) },
      );
  return fc.tuple(paths, queries, headers, body).map(([p, q, h, b]) => {
    const url =
      op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
        const v = p[name] as { raw: boolean; value: string };
        return v.raw ? v.value : safeEncode(v.value);
      }) + queryString(q as Record<string, string | string[] | undefined>);
    const sent: Record<string, string> = { authorization: `Bearer ${ctx.token}` };
    for (const [name, value] of Object.entries(h as Record<string, string | undefined>)) if (value !== undefined) sent[name.toLowerCase()] = value === 'real' ? ctx.etag() : value;
    if (b.contentType) sent['content-type'] = b.contentType;
    return { method: op.method, url, headers: sent, payload: b.payload, bodyKind: b.bodyKind };
  });
}

function queryString(values: Record<string, string | string[] | undefined>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${safeEncode(name)}=${safeEncode(v)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** encodeURIComponent, except that a lone surrogate goes out as the bytes it would be in WTF-8. */
function safeEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...value].map((ch) => (/[\uD800-\uDFFF]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
  }
}
