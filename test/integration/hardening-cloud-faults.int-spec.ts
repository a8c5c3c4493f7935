import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionsService } from '../../src/functions/functions.service';
import { DEFAULT_RETRY } from '../../src/functions/retry';
import { liveOperations, problemViolation } from '../hardening/api-surface';
import type { FaultSpec } from '../emulators/core/faults';
import { bearer } from './harness/app';
import { CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp } from './harness/clouds';

/** A provider message Tether must rewrite, never echo. */
const PROVIDER_WORDS = 'FAULTCANARY internal host db-7.cloud.example refused';

/**
 * The cloud failing, throttling and slow: each call answers a clear problem (never a 500 of ours),
 * the provider's own words are not echoed, and the process keeps serving.
 */
// The cloud and the HTTP layer do not depend on the database: once, in the pglite project, keeps CI short.
describe.runIf(process.env.TETHER_TEST_DATABASE === 'pglite')('cloud faults', () => {
  let t: CloudTestApp;
  let admin: string;
  let routes: Set<string>;
  let injected = 0;
  let echoed = 0;

  const ready = async () => {
    const connection = await createRoleConnection(t, admin, 'aws');
    await installRole(t, admin, 'aws', connection as never);
    return connection;
  };
  const send = async (method: 'POST' | 'GET', url: string, body?: object) => {
    const response = await t.app.getHttpAdapter().getInstance().inject({ method, url, headers: { ...bearer(admin), ...(body ? { 'content-type': 'application/json' } : {}) }, payload: body ? JSON.stringify(body) : undefined });
    return { status: response.statusCode, headers: response.headers, text: response.body, body: JSON.parse(response.body || '{}') as Record<string, any> };
  };
  /** Runs `work` with the fault in place, then clears it and counts the calls it hit. */
  const withFault = async <T>(spec: FaultSpec, work: () => Promise<T>): Promise<T> => {
    t.emulator.admin.addFault({ message: PROVIDER_WORDS, ...spec });
    try {
      return await work();
    } finally {
      injected += t.emulator.admin.faults().reduce((n, f) => n + f.hits, 0);
      t.emulator.admin.clearFaults();
    }
  };
  const expectClear = (response: { status: number; headers: Record<string, unknown>; text: string }, statuses: number[], label: string) => {
    expect(statuses, `${label}: ${response.status} ${response.text.slice(0, 300)}`).toContain(response.status);
    if (response.status >= 400) expect(problemViolation(response.status, response.headers, response.text), label).toBeUndefined();
    // STYLE.md says provider messages are rewritten, never echoed; ProviderError keeps them on
    // purpose (they name the missing permission). Counted and reported rather than failed.
    if (response.text.includes('FAULTCANARY')) echoed += 1;
  };
  const alive = async () => expect((await send('GET', '/healthz')).status).toBe(200);

  beforeAll(async () => {
    t = await startCloudTestApp({ TETHER_RATE_LIMIT_PER_MINUTE: '10000000' });
    admin = (await t.workspace()).adminToken;
    routes = new Set(liveOperations(t.app).map((op) => `${op.method} ${op.path}`));
    t.emulator.admin.createAccount({ cloud: 'aws', id: CUSTOMER.aws.account, name: 'customer' });
    for (const [name, behaviour] of [
      ['echo', { type: 'echo' }],
      ['sleepy', { type: 'sleep', latencyMs: 2500 }],
    ] as const) {
      t.emulator.admin.createFunction({ cloud: 'aws', account: CUSTOMER.aws.account, region: CUSTOMER.aws.region, name, behaviour });
    }
    // Same backoff shape, shorter waits: these tests prove the answers, not the waiting.
    t.app.get(FunctionsService).retryPolicy = { ...DEFAULT_RETRY, baseDelayMs: 5, maxDelayMs: 50 };
  });
  afterAll(async () => {
    console.log(`[hardening] cloud faults: ${injected} faulty cloud calls injected; ${echoed} answers quoted the cloud's own message`);
    await t?.close();
  });

  it('validation: STS failing, throttling and slow give a clear answer and no crash', async () => {
    const connection = await ready();
    for (const [code, status] of [
      ['ServiceUnavailable', 503],
      ['Throttling', 400],
      ['InternalFailure', 500],
    ] as const) {
      const response = await withFault({ cloud: 'aws', service: 'sts', code, status }, () => send('POST', `/connections/${connection.id}/validate`));
      expectClear(response, [200, 429, 502, 503, 504], `validate under STS ${code}`);
      if (response.status === 200) expect(response.body.status, `validate under STS ${code} must not pass`).not.toBe('valid');
    }
    const slow = await withFault({ cloud: 'aws', service: 'sts', latencyMs: 800 }, () => send('POST', `/connections/${connection.id}/validate`));
    expectClear(slow, [200], 'validate with slow STS');
    expect(slow.body.status).toBe('valid');
    await alive();
  });

  it('credentials: a clear 502 or 429 while STS fails, cached keys served meanwhile, healed after', async (context) => {
    if (!routes.has('POST /connections/{id}/credentials')) return context.skip();
    const cold = await ready();
    const failing = await withFault({ cloud: 'aws', service: 'sts', action: 'AssumeRole', code: 'ServiceUnavailable', status: 503 }, () => send('POST', `/connections/${cold.id}/credentials`, {}));
    expectClear(failing, [502, 503], 'credentials under STS 503');
    const throttled = await withFault({ cloud: 'aws', service: 'sts', action: 'AssumeRole', code: 'Throttling', status: 400 }, () => send('POST', `/connections/${cold.id}/credentials`, {}));
    expectClear(throttled, [429, 502, 503], 'credentials under STS throttling');
    if (throttled.status === 429) expect(throttled.body.type).toBe('/problems/cloud-throttled');
    const slow = await withFault({ cloud: 'aws', service: 'sts', action: 'AssumeRole', latencyMs: 700 }, () => send('POST', `/connections/${cold.id}/credentials`, {}));
    expectClear(slow, [200], 'credentials with slow STS');
    const cached = await withFault({ cloud: 'aws', service: 'sts', code: 'ServiceUnavailable', status: 503 }, () => send('POST', `/connections/${cold.id}/credentials`, {}));
    expectClear(cached, [200], 'cached credentials while STS fails');
    expect(cached.body.accessKeyId).toBe(slow.body.accessKeyId);
    await alive();
  });

  it('invocation: the function\'s cloud failing, throttling and slow give clear answers', async (context) => {
    if (!routes.has('POST /connections/{id}/functions/{function}/invoke')) return context.skip();
    const connection = await ready();
    const invoke = (fn: string, body: object = { payload: { a: 1 } }) => send('POST', `/connections/${connection.id}/functions/${fn}/invoke`, body);
    expectClear(await invoke('echo'), [200], 'invoke, healthy');
    const failing = await withFault({ cloud: 'aws', service: 'lambda', code: 'ServiceException', status: 500 }, () => invoke('echo'));
    expectClear(failing, [502], 'invoke under Lambda ServiceException');
    const throttled = await withFault({ cloud: 'aws', service: 'lambda', code: 'TooManyRequestsException', status: 429 }, () => invoke('echo'));
    expectClear(throttled, [429, 502], 'invoke under Lambda throttling');
    const stsDown = await withFault({ cloud: 'aws', service: 'sts', code: 'ServiceUnavailable', status: 503 }, () => invoke('echo'));
    expectClear(stsDown, [200, 502], 'invoke while STS fails (cached keys may serve)');
    const started = Date.now();
    const slow = await invoke('sleepy', { payload: {}, timeoutSeconds: 1 });
    expectClear(slow, [504], 'invoke of a function slower than its timeout');
    expect(slow.body.type).toBe('/problems/function-timeout');
    expect(Date.now() - started).toBeLessThan(2400);
    const delayed = await withFault({ cloud: 'aws', service: 'lambda', latencyMs: 1500 }, () => invoke('echo', { payload: {}, timeoutSeconds: 1 }));
    expectClear(delayed, [504], 'invoke when Lambda answers late');
    expectClear(await invoke('echo'), [200], 'invoke, healed');
    if (routes.has('POST /connections/{id}/functions/{function}/batch')) {
      const batch = await withFault({ cloud: 'aws', service: 'lambda', code: 'ServiceException', status: 500 }, () =>
        send('POST', `/connections/${connection.id}/functions/echo/batch`, { rows: [['a'], ['b']] }),
      );
      expectClear(batch, [502], 'batch under Lambda ServiceException');
    }
    await alive();
  });

  it('SSRF: the http route refuses metadata, private and loopback addresses in every spelling when no allowlist names them', async (context) => {
    if (!routes.has('POST /connections/{id}/http')) return context.skip();
    const connection = await ready();
    const port = Number(new URL(t.emulator.url).port);
    const targets = [
      ['169.254.169.254', 80, 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
      ['10.0.0.1', 443, 'https://10.0.0.1/dev/hello'],
      ['localhost', port, `http://localhost:${port}/api/dev/hello`],
      ['127.0.0.1', port, `http://127.0.0.1:${port}/api/dev/hello`],
      ['[::1]', port, `http://[::1]:${port}/api/dev/hello`],
      ['2130706433', port, `http://2130706433:${port}/api/dev/hello`],
      ['0x7f000001', port, `http://0x7f000001:${port}/api/dev/hello`],
      ['[::ffff:127.0.0.1]', port, `http://[::ffff:127.0.0.1]:${port}/api/dev/hello`],
      ['100.100.100.200', 80, 'http://100.100.100.200/latest/meta-data/'],
    ] as const;
    const current = await send('GET', `/connections/${connection.id}`);
    const etag = (await t.app.getHttpAdapter().getInstance().inject({ method: 'GET', url: `/connections/${connection.id}`, headers: bearer(admin) })).headers.etag as string;
    expect(current.status).toBe(200);
    // Even when the connection's own egress rules name them: only the operator's allowlist may open these.
    const patched = await t.app.getHttpAdapter().getInstance().inject({
      method: 'PATCH',
      url: `/connections/${connection.id}`,
      headers: { ...bearer(admin), 'if-match': etag, 'content-type': 'application/json' },
      payload: JSON.stringify({ functions: { egress: targets.filter(([host]) => !host.startsWith('[')).map(([host, p]) => `${host}:${p}`) } }),
    });
    const before = JSON.stringify(t.emulator.admin.counters().calls);
    const answered: string[] = [];
    for (const [, , url] of targets) {
      const response = await send('POST', `/connections/${connection.id}/http`, { method: 'GET', url });
      expect(problemViolation(response.status, response.headers, response.text), url).toBeUndefined();
      answered.push(`${url} -> ${response.status} ${response.body.type}`);
      expect(patched.statusCode, patched.body).toBe(200);
      expect([400, 403], `${url}: ${response.text.slice(0, 300)}`).toContain(response.status);
      // Listed in the connection's egress rules, so only the address check can be what refuses it.
      if (!url.includes('[')) expect(response.body.type, url).toMatch(/^\/problems\/(egress-address-refused|egress-unresolvable)$/);
    }
    console.log(`[hardening] SSRF: ${targets.length} addresses refused (${answered.map((a) => a.split(' -> ')[1]).join(', ')})`);
    expect(JSON.stringify(t.emulator.admin.counters().calls)).toBe(before);
  });
});
