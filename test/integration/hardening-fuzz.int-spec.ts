import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../../src/secrets/keyring';
import { secretAssociatedData } from '../../src/secrets/secrets.service';
import { liveOperations, Operation, problemViolation } from '../hardening/api-surface';
import { FuzzRequest, requestsFor } from '../hardening/fuzz';
import { bearer, BOOTSTRAP_TOKEN } from './harness/app';
import { CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp } from './harness/clouds';

/** Requests per operation; HARDENING_FUZZ_RUNS raises it for a longer local run. */
const RUNS = Number(process.env.HARDENING_FUZZ_RUNS ?? 120);
/** 5xx that are the cloud's or an upstream's fault, answered as such; anything else 5xx is ours. */
const UPSTREAM_PROBLEMS = /^\/problems\/(cloud-|upstream-|function-)/;

interface Outcome {
  status: number;
  headers: Record<string, unknown>;
  text: string;
}

describe('fuzzing every operation of the live OpenAPI document', () => {
  let t: CloudTestApp;
  let admin: string;
  let auditor: string;
  let workspaceId: string;
  let operations: Operation[];
  let connection: { id: string; name: string };
  let etag = '"1"';
  const statuses = new Map<string, Map<number, number>>();
  let sent = 0;
  /** First request seen per (operation, kind of violation). */
  const violations = new Map<string, string>();
  /** Acknowledged creates minus acknowledged deletes, per collection. */
  const acknowledged = new Map<string, number>();
  const before: Record<string, Set<string>> = {};
  let ownSecretsBefore = 0;

  const db = () => t.app.get(DataSource);
  const ids = async (table: string) => new Set<string>((await db().query(`SELECT id FROM ${table} WHERE workspace_id = $1`, [workspaceId])).map((r: { id: string }) => r.id));

  const send = async (request: FuzzRequest): Promise<Outcome> => {
    sent += 1;
    const response = await t.app.getHttpAdapter().getInstance().inject({ method: request.method as 'GET', url: request.url, headers: request.headers, payload: request.payload });
    return { status: response.statusCode, headers: response.headers, text: response.body };
  };

  beforeAll(async () => {
    t = await startCloudTestApp({ TETHER_RATE_LIMIT_PER_MINUTE: '10000000' });
    const workspace = await t.workspace();
    admin = workspace.adminToken;
    workspaceId = workspace.id;
    operations = liveOperations(t.app);
    connection = await createRoleConnection(t, admin, 'aws', { name: 'fuzz_target' });
    await installRole(t, admin, 'aws', connection as never);
    t.emulator.admin.createFunction({ cloud: 'aws', account: CUSTOMER.aws.account, region: CUSTOMER.aws.region, name: 'echo', behaviour: { type: 'echo' } });
    const read = await t.http.get(`/connections/${connection.id}`).set(bearer(admin));
    etag = read.headers.etag as string;
    await t.http.post('/secrets').set(bearer(admin)).send({ name: 'fuzz_secret', value: 'fuzz-secret-value' }).expect(201);
    await t.http
      .post('/connections')
      .set(bearer(admin))
      .send({ name: 'fuzz_keys', provider: 'aws', region: 'us-east-1', auth: { type: 'access_key', accessKeyId: 'AKIAFUZZFUZZFUZZFUZZ', secretAccessKey: { value: 'fuzz-inline-secret' } } })
      .expect(201);
    // Never aimed at by the fuzzer: an access-key connection with both secrets inline stays for the row checks.
    await t.http
      .post('/connections')
      .set(bearer(admin))
      .send({ name: 'fuzz_untouched', provider: 'aws', region: 'us-east-1', auth: { type: 'access_key', accessKeyId: 'AKIAFUZZFUZZFUZZFUZY', secretAccessKey: { value: 'fuzz-inline-2' }, sessionToken: { value: 'fuzz-session-2' } } })
      .expect(201);
    await t.token(admin, 'viewer');
    // An admin the fuzzer never aims at, for reading the trail afterwards.
    auditor = await t.token(admin, 'admin');
    for (const table of ['connections', 'secrets', 'api_tokens']) before[table] = await ids(table);
    ownSecretsBefore = (await db().query(`SELECT count(*)::int AS n FROM secrets WHERE workspace_id = $1 AND owner_connection_id IS NULL`, [workspaceId]))[0].n;
  });
  afterAll(() => t?.close());

  it('answers thousands of generated and mutated requests without a 5xx of its own, each error a problem naming its field', async () => {
    expect(operations.length).toBeGreaterThan(10);
    const tokens = await db().query(`SELECT id FROM api_tokens WHERE workspace_id = $1 AND role = 'viewer'`, [workspaceId]);
    const pathValues = {
      id: [connection.id, connection.name, 'fuzz_keys', 'fuzz_secret', tokens[0].id as string],
      function: ['echo', 'missing_function'],
      key: ['udf/echo.zip', 'echo.zip'],
    };
    // Deletions last, so the other operations keep finding the objects they aim at.
    const ordered = [...operations].sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    const started = Date.now();
    for (const op of ordered) {
      const token = op.bootstrapOnly ? BOOTSTRAP_TOKEN : admin;
      const seen = new Map<number, number>();
      statuses.set(`${op.method} ${op.path}`, seen);
      await fc.assert(
        fc.asyncProperty(requestsFor(op, { pathValues, token, etag: () => etag }), async (request) => {
          const { status, headers, text } = await send(request);
          seen.set(status, (seen.get(status) ?? 0) + 1);
          const collection = op.path.split('/')[1];
          if (op.method === 'POST' && op.path === `/${collection}` && status === 201) acknowledged.set(collection, (acknowledged.get(collection) ?? 0) + 1);
          if (op.method === 'DELETE' && op.path === `/${collection}/{id}` && status < 300) acknowledged.set(collection, (acknowledged.get(collection) ?? 0) - 1);
          const where = `${request.method} ${request.url.slice(0, 160)} [${request.bodyKind}] ${String(request.payload).slice(0, 200)} -> ${status} ${text.slice(0, 300)}`;
          const flag = (reason: string) => {
            const key = `${op.method} ${op.path}: ${reason}`;
            if (!violations.has(key)) violations.set(key, `${where} ${status === 500 ? causeOf(t.logs, text) : ''}`);
          };
          if (status >= 500) {
            const type = safeJson(text)?.type;
            if (!(status !== 500 && typeof type === 'string' && UPSTREAM_PROBLEMS.test(type))) flag(`a ${status} of Tether's own`);
          }
          if (status >= 400) {
            const violation = problemViolation(status, headers, text);
            if (violation) flag(`not a problem document: ${violation}`);
            const problem = safeJson(text) as { type?: string; errors?: unknown[] } | undefined;
            // A 400 about the input names at least one field; a body that is not JSON has none to name.
            if (status === 400 && problem?.type === '/problems/invalid-request' && !(problem.errors?.length ?? 0)) flag(`invalid-request naming no field (${request.bodyKind})`);
          }
        }),
        { numRuns: op.method === 'DELETE' ? Math.ceil(RUNS / 2) : RUNS },
      );
    }
    console.log(`[hardening] fuzz: ${sent} requests over ${operations.length} operations in ${Date.now() - started} ms`);
    for (const [op, seen] of statuses) console.log(`[hardening]   ${op}: ${[...seen].sort(([a], [b]) => a - b).map(([s, n]) => `${s}x${n}`).join(' ')}`);
    // The fuzzer must get past validation somewhere, or it proves little.
    const successes = [...statuses.values()].reduce((n, seen) => n + [...seen].filter(([s]) => s < 300).reduce((m, [, c]) => m + c, 0), 0);
    expect(successes).toBeGreaterThan(50);
    expect(Object.fromEntries(violations)).toEqual({});
  });

  it('leaves nothing half-written: every row whole, every acknowledged change audited', async () => {
    const keyring = t.app.get(Keyring);
    const rows = async (sql: string) => db().query(sql, [workspaceId]);
    const events = await rows(`SELECT action, target_id, outcome FROM audit_events WHERE workspace_id = $1`);
    const audited = (action: string, id: string) => events.some((e: { action: string; target_id: string; outcome: string }) => e.action === action && e.target_id === id && e.outcome === 'success');

    const secrets = await rows(`SELECT id, key_id, sealed, owner_connection_id FROM secrets WHERE workspace_id = $1`);
    const connections = await rows(`SELECT id, auth_type, role_arn, external_id, access_key_id, secret_id, session_token_secret_id FROM connections WHERE workspace_id = $1`);
    const tokens = await rows(`SELECT id FROM api_tokens WHERE workspace_id = $1`);
    const secretIds = new Set(secrets.map((s: { id: string }) => s.id));
    const problems: string[] = [];

    for (const s of secrets) {
      try {
        keyring.open({ keyId: s.key_id, sealed: Buffer.from(s.sealed) }, secretAssociatedData(workspaceId, s.id));
      } catch (error) {
        problems.push(`secret ${s.id} does not open: ${String(error)}`);
      }
      if (s.owner_connection_id) {
        const owner = connections.find((c: { id: string }) => c.id === s.owner_connection_id);
        if (!owner || (owner.secret_id !== s.id && owner.session_token_secret_id !== s.id)) problems.push(`secret ${s.id} is owned by connection ${s.owner_connection_id}, which does not use it`);
      } else if (!audited('secret.create', s.id)) problems.push(`secret ${s.id} has no secret.create event`);
    }
    for (const c of connections) {
      if (!audited('connection.create', c.id)) problems.push(`connection ${c.id} has no connection.create event`);
      if (c.auth_type === 'access_key' && (!c.access_key_id || !secretIds.has(c.secret_id))) problems.push(`access_key connection ${c.id} lacks its key id or secret`);
      if (c.session_token_secret_id && !secretIds.has(c.session_token_secret_id)) problems.push(`connection ${c.id} points at a missing session token secret`);
      if (c.auth_type === 'assume_role' && (!c.role_arn || !c.external_id)) problems.push(`assume_role connection ${c.id} lacks its role or External ID`);
    }
    for (const token of tokens) if (!before.api_tokens.has(token.id) && !audited('token.create', token.id)) problems.push(`token ${token.id} has no token.create event`);
    // The other way round: every acknowledged create is still there, or its deletion was acknowledged too.
    for (const [action, table, present] of [
      ['secret', 'secrets', secretIds],
      ['connection', 'connections', new Set(connections.map((c: { id: string }) => c.id))],
      ['token', 'api_tokens', new Set(tokens.map((c: { id: string }) => c.id))],
    ] as const) {
      for (const e of events.filter((x: { action: string; outcome: string }) => x.action === `${action}.create` && x.outcome === 'success')) {
        if (!present.has(e.target_id) && !audited(`${action}.delete`, e.target_id)) problems.push(`${table} row ${e.target_id} was created, never deleted, and is gone`);
      }
    }
    // Row counts: what was there, plus what was acknowledged as created, minus what was acknowledged as deleted.
    const counts = {
      connections: connections.length - before.connections.size,
      secrets: secrets.filter((s: { owner_connection_id: string | null }) => !s.owner_connection_id).length - ownSecretsBefore,
      tokens: tokens.length - before.api_tokens.size,
    };
    expect(counts).toEqual({ connections: acknowledged.get('connections') ?? 0, secrets: acknowledged.get('secrets') ?? 0, tokens: acknowledged.get('tokens') ?? 0 });
    const verify = await t.http.get('/audit-events/verify').set(bearer(auditor));
    expect(verify.body.ok, JSON.stringify(verify.body)).toBe(true);
    console.log(`[hardening] fuzz consistency: ${secrets.length} secrets, ${connections.length} connections, ${tokens.length} tokens, ${events.length} audit events checked`);
    expect(problems).toEqual([]);
  });
});

/** The logged cause of a 500, by its request id. */
function causeOf(logs: readonly string[], text: string): string {
  const requestId = safeJson(text)?.requestId;
  const line = logs.find((l) => typeof requestId === 'string' && l.includes(requestId) && l.includes('"err"'));
  const err = line ? (safeJson(line)?.err as { type?: string; message?: string } | undefined) : undefined;
  return err ? `[cause: ${err.type}: ${String(err.message).slice(0, 200)}]` : '';
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
