import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemViolation } from '../hardening/api-surface';
import { bearer, startTestApp, TestApp } from './harness/app';

/**
 * Bugs in src/ that the hardening fuzzer found (and that were fixed), one precise reproduction
 * each, so that they stay fixed.
 */
// The cloud and the HTTP layer do not depend on the database: once, in the pglite project, keeps CI short.
describe.runIf(process.env.TETHER_TEST_DATABASE === 'pglite')('bugs the fuzzer found, kept fixed', () => {
  let t: TestApp;
  let admin: string;
  const send = async (method: 'GET' | 'POST', url: string, payload?: string) => {
    const response = await t.app.getHttpAdapter().getInstance().inject({ method, url, headers: { ...bearer(admin), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) }, payload });
    if (response.statusCode === 500) {
      const line = t.logs.find((l) => l.includes(String(response.headers['x-request-id'])) && l.includes('"err"'));
      const err = line ? (JSON.parse(line).err as { type?: string; message?: string }) : undefined;
      console.log(`[hardening] known bug: ${method} ${url.slice(0, 60)} -> 500, logged cause ${err?.type}: ${String(err?.message).slice(0, 200)}`);
    }
    return { status: response.statusCode, headers: response.headers, text: response.body };
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await t.workspace()).adminToken;
  });
  afterAll(() => t?.close());

  it('nul-in-path: GET /connections/%00 is a 404, not a 500 from PostgreSQL refusing the NUL byte', async () => {
    const response = await send('GET', '/connections/%00');
    expect(response.status, response.text).toBe(404);
  });

  it('deep-json: POST /secrets with a value nested 20,000 deep is a 400, not a 500 (stack overflow)', async () => {
    const response = await send('POST', '/secrets', `{"name":"deep","value":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    expect(response.status, response.text).toBe(400);
  });

  it('router-errors: bad percent-encoding in a path is answered as problem+json', async () => {
    const response = await send('GET', '/connections/%ZZ');
    expect(problemViolation(response.status, response.headers, response.text), response.text).toBeUndefined();
  });

  it('router-errors: a path parameter over 100 characters is answered as problem+json', async () => {
    const response = await send('GET', `/connections/${'x'.repeat(150)}`);
    expect(problemViolation(response.status, response.headers, response.text), response.text).toBeUndefined();
  });

  it.each(['auth.roleArn', 'functions.codeBucket', 'functions.executionRoleArn'])('null-as-absent: POST /connections with %s null is a 400 naming it, not a 500', async (path) => {
    const body = { name: 'nulls', provider: 'aws', region: 'us-east-1', auth: { type: 'assume_role', roleArn: 'arn:aws:iam::222222222222:role/Udf' }, functions: { codeBucket: 'udf-code' } } as Record<string, Record<string, unknown> | string>;
    const [parent, field] = path.split('.') as [string, string];
    (body[parent] as Record<string, unknown>)[field] = null;
    const response = await send('POST', '/connections', JSON.stringify(body));
    expect(response.status, response.text).toBe(400);
    expect(JSON.parse(response.text).errors.map((e: { field: string }) => e.field)).toContain(path);
  });

  it('malformed-json-type: a body that is not JSON is /problems/malformed-body', async () => {
    const response = await send('POST', '/secrets', '{"name": "x",');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).type, response.text).toBe('/problems/malformed-body');
  });
});
