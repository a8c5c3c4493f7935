import { describe, expect, it } from 'vitest';
import { conditionHolds, decide, type EvaluationRequest, evaluatePolicy, parsePolicy, PolicyParseError, type PrincipalContext, wildcardMatch } from './policy';

const PLATFORM: PrincipalContext = { accountIds: ['arn:aws:iam::111111111111:root', '111111111111'], specificIds: ['arn:aws:iam::111111111111:user/tether'] };
const ROLE = 'arn:aws:iam::222222222222:role/Tether';

function request(context: EvaluationRequest['context'] = {}, overrides: Partial<EvaluationRequest> = {}): EvaluationRequest {
  return { action: 'sts:AssumeRole', resource: ROLE, principal: PLATFORM, context, ...overrides };
}

const trust = (condition?: unknown, principal: unknown = { AWS: 'arn:aws:iam::111111111111:root' }) =>
  parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) }] }, 'aws');

describe('wildcardMatch', () => {
  it.each([
    ['*', 'anything', true],
    ['lambda:Invoke*', 'lambda:InvokeFunction', true],
    ['lambda:Get?unction', 'lambda:GetFunction', true],
    ['lambda:Get?unction', 'lambda:GetFFunction', false],
    ['arn:aws:s3:::b/code/*', 'arn:aws:s3:::b/code/a/b.zip', true],
    ['arn:aws:s3:::b/code/*', 'arn:aws:s3:::b/secret/a', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['', '', true],
  ])('%s ~ %s = %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  it('is case-insensitive only when asked (actions)', () => {
    expect(wildcardMatch('STS:assumerole', 'sts:AssumeRole', true)).toBe(true);
    expect(wildcardMatch('STS:assumerole', 'sts:AssumeRole')).toBe(false);
  });
});

describe('parsePolicy', () => {
  it('accepts a single statement object and string actions', () => {
    const p = parsePolicy('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}', 'aws');
    expect(p.statements).toHaveLength(1);
    expect(p.statements[0]).toMatchObject({ effect: 'Allow', actions: ['s3:GetObject'], resources: ['*'] });
  });

  it.each([
    ['not json', '{'],
    ['no statement', { Version: '2012-10-17' }],
    ['bad effect', { Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: '*' }] }],
    ['both Action and NotAction', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', NotAction: 's3:*' }] }],
    ['unknown operator', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Condition: { StringSorta: { a: 'b' } } }] }],
    ['wrong version', { Version: '2020-01-01', Statement: [{ Effect: 'Allow', Action: '*' }] }],
  ])('rejects %s', (_name, doc) => {
    expect(() => parsePolicy(doc, 'aws')).toThrow(PolicyParseError);
  });

  it('parses CAM: lowercase keys, name/ prefixes, qcs principals, string_equal', () => {
    const p = parsePolicy(
      { version: '2.0', statement: [{ action: 'name/sts:AssumeRole', effect: 'allow', principal: { qcs: ['qcs::cam::uin/100000000001:root'] }, condition: { string_equal: { 'sts:external_id': 'x' } } }] },
      'tencent',
    );
    expect(p.statements[0]).toMatchObject({ effect: 'Allow', actions: ['sts:AssumeRole'], principal: { any: false, values: ['qcs::cam::uin/100000000001:root'] }, conditions: [{ operator: 'StringEquals', key: 'sts:external_id', values: ['x'] }] });
  });

  it('requires RAM Version "1"', () => {
    expect(() => parsePolicy({ Statement: [{ Effect: 'Allow', Action: '*' }] }, 'aliyun')).toThrow(PolicyParseError);
    expect(parsePolicy({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'fc:*', Resource: '*' }] }, 'aliyun').statements).toHaveLength(1);
  });
});

describe('conditions', () => {
  const cond = (operator: string, key: string, values: string[], ifExists = false) => ({ operator, key: key.toLowerCase(), values, ifExists });

  it('list values mean any-of; a missing key fails a positive test', () => {
    const c = cond('StringEquals', 'sts:ExternalId', ['a', 'b']);
    expect(conditionHolds(c, { 'sts:ExternalId': 'a' })).toBe(true);
    expect(conditionHolds(c, { 'sts:ExternalId': 'b' })).toBe(true);
    expect(conditionHolds(c, { 'sts:ExternalId': 'c' })).toBe(false);
    expect(conditionHolds(c, {})).toBe(false);
  });

  it('keys are case-insensitive, values are not', () => {
    const c = cond('StringEquals', 'STS:EXTERNALID', ['Abc']);
    expect(conditionHolds(c, { 'sts:ExternalId': 'Abc' })).toBe(true);
    expect(conditionHolds(c, { 'sts:ExternalId': 'abc' })).toBe(false);
    expect(conditionHolds(cond('StringEqualsIgnoreCase', 'k', ['Abc']), { k: 'ABC' })).toBe(true);
  });

  it('negated operators: none-of, and true for a missing key', () => {
    const c = cond('StringNotEquals', 'k', ['a', 'b']);
    expect(conditionHolds(c, { k: 'c' })).toBe(true);
    expect(conditionHolds(c, { k: 'a' })).toBe(false);
    expect(conditionHolds(c, {})).toBe(true);
    expect(conditionHolds(cond('StringNotLike', 'k', ['a*']), { k: 'abc' })).toBe(false);
    expect(conditionHolds(cond('StringNotLike', 'k', ['a*']), { k: 'xyz' })).toBe(true);
  });

  it('...IfExists waves a missing key through but still tests a present one', () => {
    const c = cond('StringEquals', 'k', ['a'], true);
    expect(conditionHolds(c, {})).toBe(true);
    expect(conditionHolds(c, { k: 'a' })).toBe(true);
    expect(conditionHolds(c, { k: 'b' })).toBe(false);
  });

  it('Null tests presence', () => {
    expect(conditionHolds(cond('Null', 'k', ['true']), {})).toBe(true);
    expect(conditionHolds(cond('Null', 'k', ['true']), { k: 'x' })).toBe(false);
    expect(conditionHolds(cond('Null', 'k', ['false']), { k: 'x' })).toBe(true);
  });

  it('dates compare ISO and epoch values', () => {
    const before = cond('DateLessThan', 'aws:TokenIssueTime', ['2030-01-01T00:00:00Z']);
    expect(conditionHolds(before, { 'aws:TokenIssueTime': '2029-12-31T23:59:59Z' })).toBe(true);
    expect(conditionHolds(before, { 'aws:TokenIssueTime': '2030-01-01T00:00:00Z' })).toBe(false);
    expect(conditionHolds(cond('DateGreaterThan', 't', ['1893456000']), { t: '2030-01-01T00:00:01Z' })).toBe(true);
    expect(conditionHolds(cond('DateLessThan', 't', ['not a date']), { t: '2030-01-01T00:00:00Z' })).toBe(false);
  });

  it('Bool, StringLike, IpAddress', () => {
    expect(conditionHolds(cond('Bool', 'aws:SecureTransport', ['false']), { 'aws:SecureTransport': 'false' })).toBe(true);
    expect(conditionHolds(cond('StringLike', 's3:prefix', ['code/*', 'pub/*']), { 's3:prefix': 'pub/x' })).toBe(true);
    expect(conditionHolds(cond('StringLike', 's3:prefix', ['code/*']), { 's3:prefix': 'secret/' })).toBe(false);
    expect(conditionHolds(cond('IpAddress', 'aws:SourceIp', ['10.0.0.0/8']), { 'aws:SourceIp': '10.1.2.3' })).toBe(true);
    expect(conditionHolds(cond('IpAddress', 'aws:SourceIp', ['10.0.0.0/8']), { 'aws:SourceIp': '11.1.2.3' })).toBe(false);
  });

  it('ForAllValues / ForAnyValue over multi-valued keys', () => {
    const all = { operator: 'StringEquals', key: 'aws:tagkeys', values: ['a', 'b'], ifExists: false, setOperator: 'ForAllValues' as const };
    expect(conditionHolds(all, { 'aws:TagKeys': ['a', 'b'] })).toBe(true);
    expect(conditionHolds(all, { 'aws:TagKeys': ['a', 'c'] })).toBe(false);
    expect(conditionHolds({ ...all, setOperator: 'ForAnyValue' }, { 'aws:TagKeys': ['a', 'c'] })).toBe(true);
  });
});

describe('trust policy evaluation', () => {
  const withExternalId = trust({ StringEquals: { 'sts:ExternalId': 'ext-1' } });

  it('allows the trusted account only with the External ID', () => {
    expect(evaluatePolicy(withExternalId, request({ 'sts:ExternalId': 'ext-1' }))).toMatchObject({ effect: 'allow', principalMatch: 'account' });
    expect(evaluatePolicy(withExternalId, request({ 'sts:ExternalId': 'ext-2' })).effect).toBe('none');
    expect(evaluatePolicy(withExternalId, request({})).effect).toBe('none');
  });

  it('a trust policy without the condition allows any External ID, or none', () => {
    expect(evaluatePolicy(trust(), request({})).effect).toBe('allow');
    expect(evaluatePolicy(trust(), request({ 'sts:ExternalId': 'whatever' })).effect).toBe('allow');
  });

  it('does not trust another account, and names a specific principal apart from its account', () => {
    const other: PrincipalContext = { accountIds: ['arn:aws:iam::999999999999:root', '999999999999'], specificIds: ['arn:aws:iam::999999999999:user/x'] };
    expect(evaluatePolicy(trust(), request({}, { principal: other })).effect).toBe('none');
    const specific = trust(undefined, { AWS: ['arn:aws:iam::111111111111:user/tether'] });
    expect(evaluatePolicy(specific, request({}))).toMatchObject({ effect: 'allow', principalMatch: 'specific' });
    expect(evaluatePolicy(trust(undefined, { AWS: '111111111111' }), request({}))).toMatchObject({ effect: 'allow', principalMatch: 'account' });
    expect(evaluatePolicy(trust(undefined, '*'), request({}, { principal: other }))).toMatchObject({ effect: 'allow', principalMatch: 'any' });
    expect(evaluatePolicy(trust(undefined, { Service: 'lambda.amazonaws.com' }), request({})).effect).toBe('none');
  });

  it('an explicit Deny beats an Allow', () => {
    const p = parsePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:AssumeRole' },
          { Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { StringNotEquals: { 'sts:ExternalId': 'ext-1' } } },
        ],
      },
      'aws',
    );
    expect(evaluatePolicy(p, request({ 'sts:ExternalId': 'ext-1' })).effect).toBe('allow');
    expect(evaluatePolicy(p, request({ 'sts:ExternalId': 'ext-2' })).effect).toBe('deny');
    expect(evaluatePolicy(p, request({})).effect).toBe('deny');
  });

  it('NotAction and NotResource', () => {
    const p = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::secret/*' }] }, 'aws');
    expect(evaluatePolicy(p, request({}, { action: 's3:GetObject', resource: 'arn:aws:s3:::code/a' })).effect).toBe('allow');
    expect(evaluatePolicy(p, request({}, { action: 'iam:CreateUser', resource: '*' })).effect).toBe('none');
    expect(evaluatePolicy(p, request({}, { action: 's3:GetObject', resource: 'arn:aws:s3:::secret/a' })).effect).toBe('none');
  });

  it('RAM and CAM trust policies with External IDs', () => {
    const ram = parsePolicy({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['acs:ram::1111:root'] }, Condition: { StringEquals: { 'sts:ExternalId': 'e' } } }] }, 'aliyun');
    const ramCaller: PrincipalContext = { accountIds: ['acs:ram::1111:root', '1111'], specificIds: ['acs:ram::1111:user/tether'] };
    expect(evaluatePolicy(ram, { action: 'sts:AssumeRole', resource: 'acs:ram::2222:role/x', principal: ramCaller, context: { 'sts:ExternalId': 'e' } }).effect).toBe('allow');
    expect(evaluatePolicy(ram, { action: 'sts:AssumeRole', resource: 'acs:ram::2222:role/x', principal: ramCaller, context: {} }).effect).toBe('none');

    const cam = parsePolicy({ version: '2.0', statement: [{ action: 'name/sts:AssumeRole', effect: 'allow', principal: { qcs: ['qcs::cam::uin/100:root'] }, condition: { string_equal: { 'sts:external_id': ['a', 'b'] } } }] }, 'tencent');
    const camCaller: PrincipalContext = { accountIds: ['qcs::cam::uin/100:root', '100'], specificIds: ['qcs::cam::uin/100:uin/5'] };
    expect(evaluatePolicy(cam, { action: 'sts:AssumeRole', resource: '*', principal: camCaller, context: { 'sts:external_id': 'b' } }).effect).toBe('allow');
    expect(evaluatePolicy(cam, { action: 'sts:AssumeRole', resource: '*', principal: camCaller, context: { 'sts:external_id': 'c' } }).effect).toBe('none');
  });
});

describe('decide', () => {
  const allowAssume = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }, 'aws');
  const base = { identityPolicies: [allowAssume], sessionPolicies: [], resourcePolicyAloneSuffices: true };

  it('cross-account needs both the trust policy and the caller identity policy', () => {
    const req = request({ 'sts:ExternalId': 'e' });
    const t = trust({ StringEquals: { 'sts:ExternalId': 'e' } });
    expect(decide({ ...base, request: req, resourcePolicy: t, sameAccount: false }).allowed).toBe(true);
    expect(decide({ ...base, identityPolicies: [], request: req, resourcePolicy: t, sameAccount: false })).toMatchObject({ allowed: false, failed: 'identity' });
    expect(decide({ ...base, request: request({}), resourcePolicy: t, sameAccount: false })).toMatchObject({ allowed: false, failed: 'resource' });
  });

  it('same account: a trust policy naming the caller suffices; naming the account delegates to identity policies', () => {
    const specific = trust(undefined, { AWS: 'arn:aws:iam::111111111111:user/tether' });
    expect(decide({ ...base, identityPolicies: [], request: request({}), resourcePolicy: specific, sameAccount: true }).allowed).toBe(true);
    expect(decide({ ...base, identityPolicies: [], request: request({}), resourcePolicy: trust(), sameAccount: true }).allowed).toBe(false);
    expect(decide({ ...base, request: request({}), resourcePolicy: trust(), sameAccount: true }).allowed).toBe(true);
    // RAM / CAM: both, always.
    expect(decide({ ...base, identityPolicies: [], request: request({}), resourcePolicy: specific, sameAccount: true, resourcePolicyAloneSuffices: false }).allowed).toBe(false);
  });

  it('session policies intersect with the identity policies', () => {
    const invokeAll = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:*', Resource: '*' }] }, 'aws');
    const onlyA = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: 'arn:aws:lambda:*:*:function:a' }] }, 'aws');
    const call = (fn: string) => ({ action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:us-east-1:1:function:${fn}`, context: {} });
    expect(decide({ identityPolicies: [invokeAll], sessionPolicies: [onlyA], request: call('a'), sameAccount: true, resourcePolicyAloneSuffices: true }).allowed).toBe(true);
    expect(decide({ identityPolicies: [invokeAll], sessionPolicies: [onlyA], request: call('b'), sameAccount: true, resourcePolicyAloneSuffices: true })).toMatchObject({ allowed: false, failed: 'session' });
    // A session policy cannot grant what the role lacks.
    expect(decide({ identityPolicies: [], sessionPolicies: [onlyA], request: call('a'), sameAccount: true, resourcePolicyAloneSuffices: true })).toMatchObject({ allowed: false, failed: 'identity' });
  });

  it('denies sessions issued before a TokenIssueTime cut-off', () => {
    const revoke = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2030-01-01T00:00:00Z' } } }] }, 'aws');
    const all = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, 'aws');
    const at = (issued?: string) => ({ action: 's3:GetObject', resource: '*', context: issued ? { 'aws:TokenIssueTime': issued } : {} });
    expect(decide({ identityPolicies: [all, revoke], sessionPolicies: [], request: at('2029-06-01T00:00:00Z'), sameAccount: true, resourcePolicyAloneSuffices: true })).toMatchObject({ allowed: false, reason: 'explicit-deny' });
    expect(decide({ identityPolicies: [all, revoke], sessionPolicies: [], request: at('2030-06-01T00:00:00Z'), sameAccount: true, resourcePolicyAloneSuffices: true }).allowed).toBe(true);
    // Long-term keys carry no TokenIssueTime, so the date test fails and the Deny does not apply.
    expect(decide({ identityPolicies: [all, revoke], sessionPolicies: [], request: at(), sameAccount: true, resourcePolicyAloneSuffices: true }).allowed).toBe(true);
  });

  it('default deny, and root allows everything not explicitly denied', () => {
    const req = { action: 's3:GetObject', resource: '*', context: {} };
    expect(decide({ identityPolicies: [], sessionPolicies: [], request: req, sameAccount: true, resourcePolicyAloneSuffices: true })).toMatchObject({ allowed: false, reason: 'implicit-deny' });
    expect(decide({ identityPolicies: [], identityAllowsAll: true, sessionPolicies: [], request: req, sameAccount: true, resourcePolicyAloneSuffices: true }).allowed).toBe(true);
  });
});
