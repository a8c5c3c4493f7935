import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionsService } from '../../src/functions/functions.service';
import { DEFAULT_RETRY } from '../../src/functions/retry';
import { bearer } from './harness/app';
import { Cloud, CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp } from './harness/clouds';

const CLOUDS: Cloud[] = ['aws', 'aliyun', 'tencent'];
const MiB = 1024 * 1024;

/** An explicit deny of invoking one function, in the cloud's own policy language. */
function denyInvoke(cloud: Cloud, policy: Record<string, unknown>, resource: string): Record<string, unknown> {
  if (cloud === 'tencent') return { ...policy, statement: [...(policy.statement as object[]), { effect: 'deny', action: ['name/scf:InvokeFunction'], resource: [resource] }] };
  const action = cloud === 'aws' ? 'lambda:InvokeFunction' : 'fc:InvokeFunction';
  return { ...policy, Statement: [...(policy.Statement as object[]), { Effect: 'Deny', Action: action, Resource: resource }] };
}

describe('function invocation', () => {
  let t: CloudTestApp;
  let admin: string;

  beforeAll(async () => {
    // 8 MB bodies, so an oversized Lambda payload reaches Tether's own 413 rather than the body limit.
    t = await startCloudTestApp({ TETHER_BODY_LIMIT_BYTES: String(8 * MiB) });
    admin = (await t.workspace()).adminToken;
    // Same backoff shape, shorter waits: the tests prove retries happen, not how long they take.
    t.app.get(FunctionsService).retryPolicy = { ...DEFAULT_RETRY, baseDelayMs: 5, maxDelayMs: 50 };
  });
  afterAll(() => t.close());

  const invocations = (cloud: Cloud, name: string) => t.emulator.admin.functions().find((f) => f.cloud === cloud && f.name === name)?.invocations;

  describe.each(CLOUDS)('%s', (cloud) => {
    let connection: { id: string; name: string; auth: { roleArn: string } };
    const customer = CUSTOMER[cloud];
    const where = { cloud, account: customer.account, region: customer.region, ...(cloud === 'aliyun' ? { service: CUSTOMER.aliyun.namespace } : {}), ...(cloud === 'tencent' ? { namespace: CUSTOMER.tencent.namespace } : {}) };
    const invoke = (fn: string, body: object, token = admin, conn = connection.name) => t.http.post(`/connections/${conn}/functions/${fn}/invoke`).set(bearer(token)).send(body);
    const batch = (fn: string, body: object, token = admin, conn = connection.name) => t.http.post(`/connections/${conn}/functions/${fn}/batch`).set(bearer(token)).send(body);

    beforeAll(async () => {
      connection = await createRoleConnection(t, admin, cloud);
      try {
        t.emulator.admin.createAccount({ cloud, id: customer.account, name: 'customer' });
      } catch {
        // the account exists already
      }
      for (const [name, behaviour, throttleFirst] of [
        ['echo', { type: 'echo' }, 0],
        ['boom', { type: 'error', errorType: 'ValueError', errorMessage: 'bad input' }, 0],
        ['rows', { type: 'rows' }, 0],
        ['throttled', { type: 'rows' }, 2],
        ['denied', { type: 'echo' }, 0],
        ['slow', { type: 'sleep', latencyMs: 2500 }, 0],
      ] as const) {
        t.emulator.admin.createFunction({ ...where, name, behaviour, throttleFirst });
      }
      const rendered = await t.http.get(`/connections/${connection.id}/trust-policy`).set(bearer(admin));
      const denied = t.emulator.admin.functions().find((f) => f.cloud === cloud && f.name === 'denied')!;
      await installRole(t, admin, cloud, connection, { permissionPolicy: denyInvoke(cloud, rendered.body.permissionPolicy, denied.resource) });
    });

    it('invokes an echo function and answers its payload, request id and log', async () => {
      const response = await invoke('echo', { payload: { hello: 'world', n: [1, 2] }, logs: true });
      expect(response.status, response.text).toBe(200);
      expect(response.body).toMatchObject({ statusCode: 200, payload: { hello: 'world', n: [1, 2] }, functionError: null });
      expect(typeof response.body.requestId).toBe('string');
      expect(typeof response.body.durationMs).toBe('number');
      expect(response.body.log).toContain('echo');
    });

    it('invokes asynchronously', async () => {
      const before = invocations(cloud, 'echo')!;
      const response = await invoke('echo', { payload: { a: 1 }, mode: 'async' });
      expect(response.status, response.text).toBe(200);
      expect(response.body.statusCode).toBe(202);
      expect(response.body.functionError).toBeNull();
      expect(invocations(cloud, 'echo')).toBe(before + 1);
    });

    it('answers a function error as a 200 with functionError', async () => {
      const response = await invoke('boom', { payload: {} });
      expect(response.status, response.text).toBe(200);
      expect(response.body.statusCode).toBe(200);
      expect(response.body.functionError).toMatchObject({ type: expect.any(String), message: expect.stringContaining('bad input') });
    });

    it('fails a batch whose function errors, naming the batch', async () => {
      const before = invocations(cloud, 'boom')!;
      const response = await batch('boom', { rows: [[1], [2]] });
      expect(response.status, response.text).toBe(502);
      // A function error is the function's answer: never retried.
      expect(invocations(cloud, 'boom')).toBe(before + 1);
      expect(response.body).toMatchObject({ type: '/problems/function-error', batch: 0, firstRow: 0, lastRow: 1 });
      expect(response.body.detail).toContain('bad input');
    });

    it('keeps the cloud\'s code when the permission policy denies the function', async () => {
      const response = await invoke('denied', { payload: {} });
      expect(response.status, response.text).toBe(502);
      expect(response.body.type).toBe('/problems/cloud-access-denied');
      expect(response.body.cloudCode).toMatch(/AccessDenied|UnauthorizedOperation/);
      expect(response.body.detail).toMatch(/InvokeFunction|Invoke/);
      expect(invocations(cloud, 'denied')).toBe(0);
    });

    it('answers 404 for a function the cloud does not have', async () => {
      const response = await invoke('nosuchfn', { payload: {} });
      expect(response.status, response.text).toBe(404);
      expect(response.body.type).toBe('/problems/function-not-found');
    });

    it('refuses an oversized payload with a 413 naming the limit, before calling the cloud', async () => {
      // Lambda's 6 MB sync limit; FC's and SCF's 128 KB async limit (FC's 32 MB sync would need a bigger body limit).
      const [mode, size, limit] = cloud === 'aws' ? (['sync', 6 * MiB + 10, /6 MB synchronous/] as const) : (['async', 130 * 1024, /128 KB asynchronous/] as const);
      const before = invocations(cloud, 'echo');
      const response = await invoke('echo', { payload: 'x'.repeat(size), mode });
      expect(response.status, response.text).toBe(413);
      expect(response.body.type).toBe('/problems/function-payload-too-large');
      expect(response.body.detail).toMatch(limit);
      expect(invocations(cloud, 'echo')).toBe(before);
    });

    it('retries a throttled function in a batch with backoff until it succeeds', async () => {
      const rows = Array.from({ length: 30 }, (_, i) => [`r${i}`]);
      const response = await batch('throttled', { rows, maxBatchRows: 10, maxConcurrency: 1 });
      expect(response.status, response.text).toBe(200);
      expect(response.body.batches).toBe(3);
      expect(response.body.retries).toBe(2);
      expect(response.body.data).toEqual(rows.map((row, i) => [i, row[0].toUpperCase()]));
      expect(invocations(cloud, 'throttled')).toBe(5);
    });

    it('runs 10,000 rows in batches and answers them in input order', async () => {
      const rows = Array.from({ length: 10_000 }, (_, i) => [`a${i}`, i, i % 3 === 0 ? null : true]);
      const before = invocations(cloud, 'rows')!;
      const response = await batch('rows', { rows, maxConcurrency: 8 });
      expect(response.status, response.text).toBe(200);
      expect(response.body.batches).toBe(20);
      expect(response.body.retries).toBe(0);
      expect(response.body.data).toHaveLength(10_000);
      expect(response.body.data).toEqual(rows.map(([a, n, b], i) => [i, `${a}|${n}|${b === null ? 'NULL' : 'true'}`.toUpperCase()]));
      expect(invocations(cloud, 'rows')).toBe(before + 20);
    });

    it('names the batch when the function breaks the row protocol', async () => {
      // An echo answers [rowIndex, arg1, arg2]: not a [rowIndex, result] pair.
      const response = await batch('echo', { rows: [['a', 1], ['b', 2], ['c', 3]], maxBatchRows: 2 });
      expect(response.status, response.text).toBe(502);
      expect(response.body).toMatchObject({ type: '/problems/function-bad-answer', batch: 0, firstRow: 0, lastRow: 1 });
      expect(response.body.detail).toMatch(/^Batch 0 \(rows 0-1\)/);
    });

    it('audits invocations without their payload', async () => {
      await invoke('echo', { payload: { secretish: 'do-not-log-me' } });
      const events = await t.app.get(DataSource).query(`SELECT action, outcome, detail FROM audit_events WHERE connection_id = $1 AND action LIKE 'function.%' ORDER BY created_at`, [connection.id]);
      expect(JSON.stringify(events)).not.toContain('do-not-log-me');
      expect(t.logs.join('')).not.toContain('do-not-log-me');
      const invoked = events.filter((e: { action: string }) => e.action === 'function.invoke');
      expect(invoked.length).toBeGreaterThan(3);
      expect(invoked.at(-1)).toMatchObject({ outcome: 'success', detail: { function: 'echo', mode: 'sync', outcome: 'ok', statusCode: 200, durationMs: expect.any(Number) } });
      expect(invoked.filter((e: { outcome: string }) => e.outcome === 'failure')).toContainEqual(expect.objectContaining({ detail: expect.objectContaining({ function: 'denied', error: 'cloud-access-denied' }) }));
      const batched = events.filter((e: { action: string; outcome: string }) => e.action === 'function.batch' && e.outcome === 'success');
      expect(batched.some((e: { detail: { rows: number; batches: number } }) => e.detail.rows === 10_000 && e.detail.batches === 20)).toBe(true);
    });

    it('counts invocations, function errors and retries in the metrics', async () => {
      const metrics = (await t.http.get('/metrics')).text;
      expect(metrics).toMatch(new RegExp(`tether_function_calls_total\\{route="batch",provider="${cloud}",outcome="ok"\\} [1-9]`));
      expect(metrics).toMatch(new RegExp(`tether_function_calls_total\\{route="invoke",provider="${cloud}",outcome="function_error"\\} [1-9]`));
      expect(metrics).toMatch(new RegExp(`tether_function_batch_invocations_total\\{provider="${cloud}",kind="retry"\\} [1-9]`));
    });

    it('refuses an insecure connection with 409', async () => {
      const insecure = await createRoleConnection(t, admin, cloud);
      await installRole(t, admin, cloud, insecure);
      await t.app.get(DataSource).query(`UPDATE connections SET validation_status = 'insecure' WHERE id = $1`, [insecure.id]);
      const before = t.emulator.admin.counters().calls;
      const response = await invoke('echo', { payload: {} }, admin, insecure.name);
      expect(response.status, response.text).toBe(409);
      expect(response.body.type).toBe('/problems/connection-insecure');
      expect(response.body.detail).toMatch(/without the External ID/);
      expect((await batch('rows', { rows: [[1]] }, admin, insecure.name)).status).toBe(409);
      expect(t.emulator.admin.counters().calls).toEqual(before);
    });
  });

  describe('access and isolation', () => {
    let connection: { id: string; name: string; auth: { roleArn: string } };
    beforeAll(async () => {
      connection = await createRoleConnection(t, admin, 'aws');
      await installRole(t, admin, 'aws', connection);
      const where = { cloud: 'aws' as const, account: CUSTOMER.aws.account, region: CUSTOMER.aws.region };
      if (!invocations('aws', 'echo')) t.emulator.admin.createFunction({ ...where, name: 'echo', behaviour: { type: 'echo' } });
      if (!invocations('aws', 'rows')) t.emulator.admin.createFunction({ ...where, name: 'rows', behaviour: { type: 'rows' } });
      if (!invocations('aws', 'slow')) t.emulator.admin.createFunction({ ...where, name: 'slow', behaviour: { type: 'sleep', latencyMs: 2500 } });
    });

    it('lets granted service tokens invoke, and refuses viewers and ungranted tokens', async () => {
      const granted = await t.token(admin, 'service', { connections: [connection.name] });
      const other = await t.token(admin, 'service', { connections: ['someone_else'] });
      const viewer = await t.token(admin, 'viewer');
      const call = (token: string) => t.http.post(`/connections/${connection.name}/functions/echo/invoke`).set(bearer(token)).send({ payload: { ok: true } });
      expect((await call(granted)).body.payload).toEqual({ ok: true });
      expect((await call(other)).status).toBe(403);
      expect((await call(viewer)).status).toBe(403);
      const stranger = (await t.workspace()).adminToken;
      expect((await call(stranger)).status).toBe(404);
    });

    it('keeps answering other requests while a slow function runs, and times the slow one out', async () => {
      const slow = t.http.post(`/connections/${connection.name}/functions/slow/invoke`).set(bearer(admin)).send({ payload: {} });
      const slowDone = slow.then((r) => ({ at: Date.now(), r }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const fast = await t.http.post(`/connections/${connection.name}/functions/echo/invoke`).set(bearer(admin)).send({ payload: { quick: 1 } });
      const fastAt = Date.now();
      expect(fast.status).toBe(200);
      const { at, r } = await slowDone;
      expect(r.status).toBe(200);
      expect(fastAt).toBeLessThan(at);

      const timedOut = await t.http.post(`/connections/${connection.name}/functions/slow/invoke`).set(bearer(admin)).send({ payload: {}, timeoutSeconds: 1 });
      expect(timedOut.status, timedOut.text).toBe(504);
      expect(timedOut.body.type).toBe('/problems/function-timeout');
    });

    it('retries a cloud 5xx in a batch, and gives up with a 502 naming the batch when it persists', async () => {
      t.emulator.admin.addFault({ cloud: 'aws', service: 'lambda', action: 'Invoke', code: 'ServiceException', status: 500, times: 2 });
      const ok = await t.http.post(`/connections/${connection.name}/functions/rows/batch`).set(bearer(admin)).send({ rows: [['x'], ['y']], maxConcurrency: 1 });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body).toMatchObject({ data: [[0, 'X'], [1, 'Y']], batches: 1, retries: 2 });

      t.emulator.admin.addFault({ cloud: 'aws', service: 'lambda', action: 'Invoke', code: 'ServiceException', status: 500, times: 100 });
      const failed = await t.http.post(`/connections/${connection.name}/functions/rows/batch`).set(bearer(admin)).send({ rows: [['x'], ['y'], ['z']], maxBatchRows: 2, maxConcurrency: 1 });
      t.emulator.admin.clearFaults();
      expect(failed.status, failed.text).toBe(502);
      expect(failed.body).toMatchObject({ type: '/problems/cloud-unavailable', cloudCode: 'ServiceException', batch: 0, firstRow: 0, lastRow: 1 });
    });

    it('validates the request body', async () => {
      const bad = await t.http.post(`/connections/${connection.name}/functions/echo/batch`).set(bearer(admin)).send({ rows: [1, 2], maxConcurrency: 100 });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['maxConcurrency', 'rows']);
      const mode = await t.http.post(`/connections/${connection.name}/functions/echo/invoke`).set(bearer(admin)).send({ mode: 'later' });
      expect(mode.status).toBe(400);
    });
  });
});
