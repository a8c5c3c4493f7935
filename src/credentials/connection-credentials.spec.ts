import { describe, expect, it } from 'vitest';
import { checkSessionName, CloudProvider } from '../cloud-identifiers';
import { provenanceTags, roleSessionName } from './connection-credentials';

const LONG = 'a'.repeat(40);
const provenance = (token: string) => ({ workspace: `ws_${LONG}`, connection: `conn_${LONG}`, token, tokenId: '8b6f0c1e-0000-4000-8000-000000000001' });

describe('roleSessionName', () => {
  it('names the connection alone without provenance, and workspace, connection and token with it', () => {
    const connection = { sessionName: null, name: 'udf_noah', provider: 'aws' as const };
    expect(roleSessionName(connection)).toBe('tether-udf_noah');
    expect(roleSessionName(connection, { workspace: 'acme', connection: 'udf_noah', token: 'query_engine', tokenId: 'x' })).toBe('tether-acme-udf_noah-query_engine');
    expect(roleSessionName({ ...connection, sessionName: 'platform' })).toBe('platform-udf_noah');
  });

  it.each<[CloudProvider, number]>([
    ['aws', 64],
    ['aliyun', 64],
    ['tencent', 128],
  ])('fits %s RoleSessionName rules (at most %i characters) with the longest names', (provider, max) => {
    const connection = { sessionName: null, name: `conn_${LONG}`, provider };
    const a = roleSessionName(connection, provenance(`token_${LONG}_a`));
    const b = roleSessionName(connection, provenance(`token_${LONG}_b`));
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(max);
      expect(checkSessionName(provider, name)).toEqual({ ok: true });
    }
    // Cut names keep a hash of the whole, so two callers never share a session name.
    expect(a).not.toBe(b);
  });
});

describe('provenanceTags', () => {
  it('keeps every key under tether:, the prefix the trust policy allows', () => {
    const tags = provenanceTags({ workspace: 'acme', connection: 'udf_noah', token: 'query_engine', tokenId: 'id-1' });
    expect(tags).toEqual({ 'tether:workspace': 'acme', 'tether:connection': 'udf_noah', 'tether:token': 'query_engine', 'tether:token-id': 'id-1' });
  });
});
