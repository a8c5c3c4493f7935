import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApp, TestApp } from './harness/app';

describe('abuse limits and metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ TETHER_RATE_LIMIT_PER_MINUTE: '5', TETHER_BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After once a token spends its minute', async () => {
    const { adminToken } = await t.workspace();
    const other = await t.token(adminToken, 'viewer');
    const statuses: number[] = [];
    let last;
    // The admin spent one request creating the viewer.
    for (let i = 0; i < 5; i += 1) {
      last = await t.http.get('/secrets').set(bearer(adminToken));
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect(last!.headers['retry-after']).toBe('12');
    expect(last!.headers['content-type']).toMatch(/problem\+json/);
    expect(last!.body.type).toBe('/problems/rate-limited');
    expect((await t.http.get('/secrets').set(bearer(other))).status).toBe(200);
  });

  it('refuses bodies over the limit with 413 problem+json', async () => {
    const { adminToken } = await t.workspace();
    const response = await t.http.post('/secrets').set(bearer(adminToken)).send({ name: 'big', value: 'x'.repeat(4096) });
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
    expect(response.body.detail).toContain('TETHER_BODY_LIMIT_BYTES');
  });

  it('exposes Prometheus metrics without a token, and they move with traffic', async () => {
    const read = async () => (await t.http.get('/metrics')).text;
    const count = (text: string) => Number(/tether_http_requests_total\{method="GET",route="\/healthz",status="200"\} (\d+)/.exec(text)?.[1] ?? 0);
    const before = count(await read());
    await t.http.get('/healthz');
    await t.http.get('/healthz');
    const after = await read();
    expect(count(after)).toBe(before + 2);
    expect(after).toContain('tether_http_request_duration_seconds_bucket');
    expect(after).toContain('tether_process_resident_memory_bytes');
  });
});
