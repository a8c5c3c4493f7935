/**
 * One policy evaluator for AWS IAM, Aliyun RAM and Tencent CAM.
 *
 * Each cloud's JSON is parsed into the same normalised `Policy`; `evaluatePolicy` answers allow,
 * deny or "not applicable" for one request, and `decide` combines identity, session and
 * resource-based (trust, bucket, API) policies the way AWS documents it: an explicit Deny anywhere
 * wins, otherwise something must Allow, and session policies only ever narrow.
 */

export type PolicyLanguage = 'aws' | 'aliyun' | 'tencent';
export type Effect = 'Allow' | 'Deny';

/** Principals named by a resource-based policy, normalised to the strings callers are known by. */
export type PrincipalSpec = { any: true } | { any: false; values: string[] };

export interface Condition {
  /** Canonical AWS operator name without `IfExists`, e.g. `StringEquals`. */
  operator: string;
  ifExists: boolean;
  /** `ForAnyValue` / `ForAllValues` for multi-valued keys. */
  setOperator?: 'ForAnyValue' | 'ForAllValues';
  /** Condition keys are case-insensitive; stored lower-cased. */
  key: string;
  values: string[];
}

export interface Statement {
  sid?: string;
  effect: Effect;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  conditions: Condition[];
}

export interface Policy {
  language: PolicyLanguage;
  statements: Statement[];
}

/** Who is asking, in the forms a resource-based policy may name them. */
export interface PrincipalContext {
  /** The account's "root" principal and bare account id: naming it delegates to the account. */
  accountIds: string[];
  /** The caller's own principal ARNs: user ARN, role ARN, assumed-role session ARN. */
  specificIds: string[];
}

export type ConditionValue = string | string[] | undefined;

export interface EvaluationRequest {
  action: string;
  resource: string;
  principal?: PrincipalContext;
  /** Condition context; keys are matched case-insensitively. */
  context: Record<string, ConditionValue>;
}

export type PrincipalMatch = 'any' | 'account' | 'specific';

export interface PolicyResult {
  effect: 'allow' | 'deny' | 'none';
  /** For resource-based policies: how the allowing statement named the caller. */
  principalMatch?: PrincipalMatch;
  /** Sid (or index) of the deciding statement, for messages and debugging. */
  statement?: string;
}

export class PolicyParseError extends Error {}

// ---------------------------------------------------------------------------------------------
// Parsing

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function asObject(value: unknown, what: string): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PolicyParseError(`${what} must be an object`);
  return value as Record<string, Json>;
}

function stringList(value: Json | undefined, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new PolicyParseError(`${what} must not be empty`);
  return list.map((item) => {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') throw new PolicyParseError(`${what} must hold strings`);
    return String(item);
  });
}

function toDocument(input: unknown): Record<string, Json> {
  if (typeof input === 'string') {
    try {
      return asObject(JSON.parse(input), 'policy');
    } catch (error) {
      if (error instanceof PolicyParseError) throw error;
      throw new PolicyParseError('policy is not valid JSON');
    }
  }
  return asObject(input, 'policy');
}

/** Key lookup that tolerates the case differences between clouds (`Statement` vs `statement`). */
function field(obj: Record<string, Json>, name: string): Json | undefined {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

const TENCENT_OPERATORS: Record<string, string> = {
  string_equal: 'StringEquals',
  string_not_equal: 'StringNotEquals',
  string_equal_ignore_case: 'StringEqualsIgnoreCase',
  string_like: 'StringLike',
  string_not_like: 'StringNotLike',
  date_equal: 'DateEquals',
  date_not_equal: 'DateNotEquals',
  date_less_than: 'DateLessThan',
  date_less_than_equal: 'DateLessThanEquals',
  date_greater_than: 'DateGreaterThan',
  date_greater_than_equal: 'DateGreaterThanEquals',
  numeric_equal: 'NumericEquals',
  numeric_not_equal: 'NumericNotEquals',
  numeric_less_than: 'NumericLessThan',
  numeric_less_than_equal: 'NumericLessThanEquals',
  numeric_greater_than: 'NumericGreaterThan',
  numeric_greater_than_equal: 'NumericGreaterThanEquals',
  bool_equal: 'Bool',
  null_equal: 'Null',
  ip_equal: 'IpAddress',
  ip_not_equal: 'NotIpAddress',
};

const KNOWN_OPERATORS = new Set([
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'Bool', 'Null', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnNotEquals', 'ArnLike', 'ArnNotLike', 'BinaryEquals',
]);

function parseOperator(raw: string, language: PolicyLanguage): Pick<Condition, 'operator' | 'ifExists' | 'setOperator'> {
  let name = raw;
  let setOperator: Condition['setOperator'];
  if (language === 'tencent') {
    const lower = name.toLowerCase();
    let rest = lower;
    if (rest.startsWith('for_any_value:')) { setOperator = 'ForAnyValue'; rest = rest.slice('for_any_value:'.length); }
    if (rest.startsWith('for_all_value:')) { setOperator = 'ForAllValues'; rest = rest.slice('for_all_value:'.length); }
    const ifExists = rest.endsWith('_if_exist');
    if (ifExists) rest = rest.slice(0, -'_if_exist'.length);
    const operator = TENCENT_OPERATORS[rest];
    if (!operator) throw new PolicyParseError(`unknown condition operator ${raw}`);
    return { operator, ifExists, setOperator };
  }
  const colon = name.indexOf(':');
  if (colon > 0) {
    const prefix = name.slice(0, colon);
    if (prefix !== 'ForAnyValue' && prefix !== 'ForAllValues') throw new PolicyParseError(`unknown set operator ${prefix}`);
    setOperator = prefix;
    name = name.slice(colon + 1);
  }
  const ifExists = name.endsWith('IfExists') && name !== 'Null';
  if (ifExists) name = name.slice(0, -'IfExists'.length);
  if (!KNOWN_OPERATORS.has(name)) throw new PolicyParseError(`unknown condition operator ${raw}`);
  return { operator: name, ifExists, setOperator };
}

function parseConditions(value: Json | undefined, language: PolicyLanguage): Condition[] {
  if (value === undefined) return [];
  const block = asObject(value, 'Condition');
  const out: Condition[] = [];
  for (const [rawOperator, keys] of Object.entries(block)) {
    const op = parseOperator(rawOperator, language);
    for (const [key, values] of Object.entries(asObject(keys, `Condition ${rawOperator}`))) {
      out.push({ ...op, key: key.toLowerCase(), values: stringList(values, `Condition ${rawOperator} ${key}`) ?? [] });
    }
  }
  return out;
}

/** Which keys of a `Principal` block name callers of this cloud (others, like `Service`, never match a user). */
const PRINCIPAL_KEYS: Record<PolicyLanguage, string> = { aws: 'aws', aliyun: 'ram', tencent: 'qcs' };

function parsePrincipal(value: Json | undefined, language: PolicyLanguage): PrincipalSpec | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return { any: true };
  const block = asObject(value, 'Principal');
  const values: string[] = [];
  for (const [key, entries] of Object.entries(block)) {
    const list = stringList(entries, `Principal ${key}`) ?? [];
    if (key.toLowerCase() !== PRINCIPAL_KEYS[language]) continue; // Service / Federated principals: not modelled
    if (list.includes('*')) return { any: true };
    values.push(...list);
  }
  return { any: false, values };
}

function normaliseAction(action: string, language: PolicyLanguage): string {
  // CAM writes `name/sts:AssumeRole`; the product prefix carries no meaning for matching.
  return language === 'tencent' && action.toLowerCase().startsWith('name/') ? action.slice(5) : action;
}

function parseEffect(value: Json | undefined): Effect {
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'allow') return 'Allow';
    if (lower === 'deny') return 'Deny';
  }
  throw new PolicyParseError('Effect must be Allow or Deny');
}

const VERSIONS: Record<PolicyLanguage, string[]> = { aws: ['2012-10-17', '2008-10-17'], aliyun: ['1'], tencent: ['2.0'] };

/**
 * Parses an IAM / RAM / CAM policy document (object or JSON string).
 * Throws `PolicyParseError` for anything the cloud would reject as malformed.
 */
export function parsePolicy(input: unknown, language: PolicyLanguage): Policy {
  const doc = toDocument(input);
  const version = field(doc, 'Version');
  if (version !== undefined && !VERSIONS[language].includes(String(version))) throw new PolicyParseError(`unsupported policy Version ${String(version)}`);
  if (version === undefined && language !== 'aws') throw new PolicyParseError('Version is required');
  const rawStatements = field(doc, 'Statement');
  if (rawStatements === undefined) throw new PolicyParseError('Statement is required');
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  const statements = list.map((raw, index): Statement => {
    const s = asObject(raw, `Statement ${index}`);
    const actions = stringList(field(s, 'Action'), 'Action')?.map((a) => normaliseAction(a, language));
    const notActions = stringList(field(s, 'NotAction'), 'NotAction')?.map((a) => normaliseAction(a, language));
    if (!actions === !notActions) throw new PolicyParseError('a statement needs exactly one of Action and NotAction');
    const sid = field(s, 'Sid');
    return {
      sid: typeof sid === 'string' ? sid : undefined,
      effect: parseEffect(field(s, 'Effect')),
      actions,
      notActions,
      resources: stringList(field(s, 'Resource'), 'Resource'),
      notResources: stringList(field(s, 'NotResource'), 'NotResource'),
      principal: parsePrincipal(field(s, 'Principal'), language),
      notPrincipal: parsePrincipal(field(s, 'NotPrincipal'), language),
      conditions: parseConditions(field(s, 'Condition'), language),
    };
  });
  return { language, statements };
}

// ---------------------------------------------------------------------------------------------
// Matching

/** `*` any run, `?` one character; everything else literal. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  // Iterative glob with backtracking on the last `*`: linear enough for ARNs, no regex escaping pitfalls.
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

function parseDate(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value) * 1000; // epoch seconds are accepted too
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0;
  for (const part of parts) {
    const n = Number(part);
    if (!/^\d{1,3}$/.test(part) || n > 255) return undefined;
    out = out * 256 + n;
  }
  return out;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsRaw] = cidr.split('/');
  const bits = bitsRaw === undefined ? 32 : Number(bitsRaw);
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(base ?? '');
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

const NEGATED = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'DateNotEquals', 'NumericNotEquals', 'NotIpAddress', 'ArnNotEquals', 'ArnNotLike']);

/** The positive form of an operator: `StringNotLike` compares like `StringLike`, then negates. */
function positive(operator: string): string {
  switch (operator) {
    case 'StringNotEquals': return 'StringEquals';
    case 'StringNotEqualsIgnoreCase': return 'StringEqualsIgnoreCase';
    case 'StringNotLike': return 'StringLike';
    case 'DateNotEquals': return 'DateEquals';
    case 'NumericNotEquals': return 'NumericEquals';
    case 'NotIpAddress': return 'IpAddress';
    case 'ArnNotEquals': return 'ArnEquals';
    case 'ArnNotLike': return 'ArnLike';
    default: return operator;
  }
}

function compare(operator: string, actual: string, expected: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
    case 'BinaryEquals':
      return actual === expected;
    case 'StringEqualsIgnoreCase':
      return actual.toLowerCase() === expected.toLowerCase();
    case 'StringLike':
    case 'ArnLike':
      return wildcardMatch(expected, actual);
    case 'Bool':
      return actual.toLowerCase() === expected.toLowerCase();
    case 'IpAddress':
      return inCidr(actual, expected);
    default:
      break;
  }
  if (operator.startsWith('Date') || operator.startsWith('Numeric')) {
    const a = operator.startsWith('Date') ? parseDate(actual) : Number(actual);
    const e = operator.startsWith('Date') ? parseDate(expected) : Number(expected);
    if (a === undefined || e === undefined || Number.isNaN(a) || Number.isNaN(e)) return false;
    const op = operator.replace(/^(Date|Numeric)/, '');
    switch (op) {
      case 'Equals': return a === e;
      case 'LessThan': return a < e;
      case 'LessThanEquals': return a <= e;
      case 'GreaterThan': return a > e;
      case 'GreaterThanEquals': return a >= e;
      default: return false;
    }
  }
  return false;
}

function lookup(context: Record<string, ConditionValue>, key: string): ConditionValue {
  for (const [k, v] of Object.entries(context)) if (k.toLowerCase() === key) return v;
  return undefined;
}

/** One condition against the request context. Policy values are "any of"; negated operators mean "none of". */
export function conditionHolds(condition: Condition, context: Record<string, ConditionValue>): boolean {
  const value = lookup(context, condition.key);
  const present = value !== undefined && !(Array.isArray(value) && value.length === 0);
  if (condition.operator === 'Null') {
    // `"Null": {"k": "true"}` asks "is k absent?"
    return condition.values.some((v) => (v.toLowerCase() === 'true') === !present);
  }
  if (!present) {
    // A missing key fails a positive test, satisfies a negated one, and is waved through by ...IfExists.
    if (condition.ifExists) return true;
    if (condition.setOperator === 'ForAllValues') return true;
    return NEGATED.has(condition.operator);
  }
  const negated = NEGATED.has(condition.operator);
  const base = positive(condition.operator);
  const matchesOne = (actual: string): boolean => {
    const hit = condition.values.some((expected) => compare(base, actual, expected));
    return negated ? !hit : hit;
  };
  const actuals = Array.isArray(value) ? value : [value as string];
  return condition.setOperator === 'ForAllValues' ? actuals.every(matchesOne) : actuals.some(matchesOne);
}

function principalMatch(spec: PrincipalSpec, who: PrincipalContext | undefined): PrincipalMatch | undefined {
  if (spec.any) return 'any';
  if (!who) return undefined;
  if (spec.values.some((v) => who.specificIds.includes(v))) return 'specific';
  if (spec.values.some((v) => who.accountIds.includes(v))) return 'account';
  return undefined;
}

function statementApplies(s: Statement, request: EvaluationRequest, language: PolicyLanguage): { applies: boolean; match?: PrincipalMatch } {
  const action = request.action;
  if (s.actions && !s.actions.some((a) => wildcardMatch(a, action, true))) return { applies: false };
  if (s.notActions && s.notActions.some((a) => wildcardMatch(a, action, true))) return { applies: false };
  // RAM treats resource names case-insensitively (role names are shown lower-cased in its console).
  const ignoreCase = language === 'aliyun';
  if (s.resources && !s.resources.some((r) => wildcardMatch(r, request.resource, ignoreCase))) return { applies: false };
  if (s.notResources && s.notResources.some((r) => wildcardMatch(r, request.resource, ignoreCase))) return { applies: false };
  let match: PrincipalMatch | undefined;
  if (s.principal) {
    match = principalMatch(s.principal, request.principal);
    if (!match) return { applies: false };
  }
  if (s.notPrincipal && principalMatch(s.notPrincipal, request.principal)) return { applies: false };
  if (!s.conditions.every((c) => conditionHolds(c, request.context))) return { applies: false };
  return { applies: true, match };
}

const MATCH_RANK: Record<PrincipalMatch, number> = { account: 0, any: 1, specific: 2 };

/** One policy on its own: explicit deny, allow (with how the principal matched), or not applicable. */
export function evaluatePolicy(policy: Policy, request: EvaluationRequest): PolicyResult {
  let allow: PolicyResult | undefined;
  for (const [index, s] of policy.statements.entries()) {
    const { applies, match } = statementApplies(s, request, policy.language);
    if (!applies) continue;
    const name = s.sid ?? `#${index}`;
    if (s.effect === 'Deny') return { effect: 'deny', statement: name };
    if (!allow || (match && allow.principalMatch && MATCH_RANK[match] > MATCH_RANK[allow.principalMatch])) {
      allow = { effect: 'allow', principalMatch: match, statement: name };
    }
  }
  return allow ?? { effect: 'none' };
}

// ---------------------------------------------------------------------------------------------
// Combining policies

export interface DecisionInput {
  request: EvaluationRequest;
  /** The caller's identity-based policies; any one may allow. */
  identityPolicies: Policy[];
  /** Root users are allowed everything their identity policies don't explicitly deny. */
  identityAllowsAll?: boolean;
  /** Session policies (AssumeRole `Policy`, GetFederationToken): each must allow too. */
  sessionPolicies: Policy[];
  /** Trust policy, bucket policy, API resource policy. */
  resourcePolicy?: Policy;
  /** The caller and the resource live in the same account. */
  sameAccount: boolean;
  /**
   * When true (AWS), a same-account resource policy naming the caller specifically is enough on its
   * own. RAM and CAM always want the caller's own permission as well for AssumeRole.
   */
  resourcePolicyAloneSuffices: boolean;
}

export interface Decision {
  allowed: boolean;
  reason: 'explicit-deny' | 'implicit-deny' | 'allowed';
  /** Which layer failed, for diagnostics: `identity`, `session`, `resource`. */
  failed?: 'identity' | 'session' | 'resource';
}

export function decide(input: DecisionInput): Decision {
  const { request } = input;
  const identity = input.identityPolicies.map((p) => evaluatePolicy(p, request));
  const session = input.sessionPolicies.map((p) => evaluatePolicy(p, request));
  const resource = input.resourcePolicy ? evaluatePolicy(input.resourcePolicy, request) : undefined;

  if (identity.some((r) => r.effect === 'deny')) return { allowed: false, reason: 'explicit-deny', failed: 'identity' };
  if (session.some((r) => r.effect === 'deny')) return { allowed: false, reason: 'explicit-deny', failed: 'session' };
  if (resource?.effect === 'deny') return { allowed: false, reason: 'explicit-deny', failed: 'resource' };

  const identityAllows = input.identityAllowsAll === true || identity.some((r) => r.effect === 'allow');
  const sessionAllows = session.every((r) => r.effect === 'allow');
  const callerAllows = identityAllows && sessionAllows;
  const callerFailure = !identityAllows ? 'identity' : 'session';

  if (!resource) return callerAllows ? { allowed: true, reason: 'allowed' } : { allowed: false, reason: 'implicit-deny', failed: callerFailure };
  const resourceAllows = resource.effect === 'allow';
  if (!input.sameAccount || !input.resourcePolicyAloneSuffices) {
    if (!resourceAllows) return { allowed: false, reason: 'implicit-deny', failed: 'resource' };
    return callerAllows ? { allowed: true, reason: 'allowed' } : { allowed: false, reason: 'implicit-deny', failed: callerFailure };
  }
  // Same account (AWS): a resource policy naming the caller itself grants on its own (session policies
  // still narrow); one naming the account root only delegates to the account's identity policies.
  if (callerAllows) return { allowed: true, reason: 'allowed' };
  if (resourceAllows && resource.principalMatch !== 'account' && sessionAllows) return { allowed: true, reason: 'allowed' };
  return { allowed: false, reason: 'implicit-deny', failed: resourceAllows ? callerFailure : 'resource' };
}
