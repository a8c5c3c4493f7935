import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTetherClient } from '../../client';
import { startTestApp, TestApp } from './harness/app';

describe('the generated typed client', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();
  });
  afterAll(() => t.close());

  it('drives the API end to end with typed requests and answers', async () => {
    const { adminToken } = await t.workspace();
    const tether = createTetherClient(baseUrl.replace('[::1]', '127.0.0.1'), adminToken);
    const secret = await tether.POST('/secrets', { body: { name: 'typed', value: 'typed-secret-value' } });
    expect(secret.response.status).toBe(201);
    expect(secret.data?.version).toBe(1);

    const created = await tether.POST('/connections', {
      body: { name: 'typed_conn', provider: 'aws', region: 'us-east-1', auth: { type: 'assume_role', roleArn: 'arn:aws:iam::222222222222:role/tether' } },
    });
    expect(created.response.status).toBe(201);
    const policy = await tether.GET('/connections/{id}/trust-policy', { params: { path: { id: 'typed_conn' } } });
    expect(policy.data?.externalId).toBe(created.data?.auth.externalId);

    const missing = await tether.GET('/connections/{id}', { params: { path: { id: 'nope' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ status: 404, type: '/problems/not-found' });
  });
});
