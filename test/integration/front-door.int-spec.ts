import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FrontDoor } from '../../src/common/http/front-door';
import { bearer } from './harness/app';
import { CloudTestApp, createRoleConnection, CUSTOMER, installRole, startCloudTestApp } from './harness/clouds';

interface Answer {
  status: number;
  type: string | null;
  names: string[];
  headers: Record<string, string | null>;
  body: Record<string, unknown>;
}

/**
 * The front door answers the credentials routes in front of Fastify; every unusual form of them
 * goes through Nest. Both must answer alike, so each request here is sent both ways: as is (the
 * front door) and with a query string (which the front door leaves to Fastify and Nest).
 */
describe('front door', () => {
  let t: CloudTestApp;
  let base: string;
  let admin: string;
  let service: string;
  let connection: { id: string; name: string };
  // The front door's private serve(): called for what it answers, not for what it hands on.
  const served = vi.spyOn(FrontDoor.prototype as unknown as { serve: () => void }, 'serve');

  const send = async (path: string, init: RequestInit): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, init);
    const body = (await response.json()) as Record<string, unknown>;
    // What differs by nature: the request id, and how recently the credentials were handed out.
    delete body.requestId;
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      // Every header by name (a header only one way would show here), and the values that carry
      // meaning. Not connection management: after a body it could not parse, Fastify closes the
      // connection, where the front door, having read the whole body, keeps it.
      names: [...response.headers.keys()].filter((name) => !['date', 'connection', 'keep-alive'].includes(name)).sort(),
      headers: { 'www-authenticate': response.headers.get('www-authenticate'), 'retry-after': response.headers.get('retry-after') },
      body,
    };
  };

  /** The same request through the front door and through Nest; checks which way each went. */
  const bothWays = async (path: string, init: RequestInit) => {
    served.mockClear();
    const front = await send(path, init);
    expect(served).toHaveBeenCalledTimes(1);
    const nest = await send(`${path}?via=nest`, init);
    expect(served).toHaveBeenCalledTimes(1);
    return { front, nest };
  };

  const json = (token: string | undefined, body: string | undefined): RequestInit => ({
    method: 'POST',
    headers: { ...(token ? bearer(token) : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body } : {}),
  });

  beforeAll(async () => {
    t = await startCloudTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    admin = (await t.workspace()).adminToken;
    t.emulator.admin.createAccount({ cloud: 'aws', id: CUSTOMER.aws.account, name: 'customer' });
    const created = await createRoleConnection(t, admin, 'aws');
    await installRole(t, admin, 'aws', created);
    connection = created;
    service = await t.token(admin, 'service', { connections: [connection.name] });
    // Minted once, so both ways below answer from the cache.
    expect((await send(`/connections/${connection.id}/credentials`, json(service, '{}'))).status).toBe(200);
  });
  afterAll(() => t?.close());

  it('answers credentials, by id and by name, exactly as Nest does', async () => {
    for (const id of [connection.id, connection.name]) {
      const { front, nest } = await bothWays(`/connections/${id}/credentials`, json(service, '{}'));
      expect(front.status).toBe(200);
      expect(front.body).toMatchObject({ provider: 'aws', region: CUSTOMER.aws.region, cached: true });
      expect(front).toEqual(nest);
    }
    await send(`/connections/${connection.id}/credentials`, json(service, '{"durationSeconds": 2000}'));
    const rounded = await bothWays(`/connections/${connection.id}/credentials`, json(service, '{"durationSeconds": 2000}'));
    expect(rounded.front.body.notes).toEqual([expect.stringContaining('rounded down')]);
    expect(rounded.front).toEqual(rounded.nest);
    const bodiless = await bothWays(`/connections/${connection.id}/credentials`, { method: 'POST', headers: bearer(service) });
    expect(bodiless.front.status).toBe(200);
    expect(bodiless.front).toEqual(bodiless.nest);
  });

  it('answers the container-credentials format exactly as Nest does', async () => {
    const { front, nest } = await bothWays(`/connections/${connection.id}/credentials/container`, { headers: { authorization: service } });
    expect(front.status).toBe(200);
    expect(front.body).toMatchObject({ AccessKeyId: expect.any(String), Token: expect.any(String), AccountId: CUSTOMER.aws.account });
    expect(front).toEqual(nest);
  });

  it('refuses bad bodies, callers and connections with the same problems as Nest', async () => {
    const other = (await t.workspace()).adminToken;
    const ungranted = await t.token(admin, 'service', { connections: [] });
    const cases: [string, RequestInit, number][] = [
      ['wrong type', json(service, '{"durationSeconds": "long"}'), 400],
      ['out of range', json(service, '{"durationSeconds": 60}'), 400],
      ['unknown field', json(service, '{"roleArn": "arn:aws:iam::1:role/x"}'), 400],
      ['null field', json(service, '{"sessionPolicy": null}'), 400],
      ['not JSON', json(service, '{"durationSeconds": '), 400],
      ['empty JSON body', json(service, ''), 400],
      ['prototype key', json(service, '{"__proto__": {"admin": true}}'), 400],
      ['too deep', json(service, `${'['.repeat(40)}${']'.repeat(40)}`), 400],
      ['no token', json(undefined, '{}'), 401],
      ['unknown token', json('tth_not-a-token', '{}'), 401],
      ['viewer token', json(await t.token(admin, 'viewer'), '{}'), 403],
      ['not granted', json(ungranted, '{}'), 403],
      ['other workspace', json(other, '{}'), 404],
    ];
    for (const [name, init, status] of cases) {
      const { front, nest } = await bothWays(`/connections/${connection.id}/credentials`, init);
      expect({ name, status: front.status }).toEqual({ name, status });
      expect(front.type).toMatch(/^application\/problem\+json/);
      expect({ name, ...front }).toEqual({ name, ...nest });
    }
    const missing = await bothWays('/connections/no_such_connection/credentials', json(service, '{}'));
    expect(missing.front.status).toBe(404);
    expect(missing.front).toEqual(missing.nest);
  });

  it('hands every unusual form to Fastify untouched', async () => {
    served.mockClear();
    // Percent-encoding in the id: Fastify's router decodes it.
    const encoded = await send(`/connections/${connection.name.replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`)}/credentials`, json(service, '{}'));
    expect(encoded.status).toBe(200);
    // A chunked body.
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${base}/connections/${connection.id}/credentials`, { method: 'POST', headers: { ...bearer(service), 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.write('{');
      request.end('}');
    });
    expect(chunked).toBe(200);
    // A media type Tether does not read gets Fastify's 415.
    const xml = await send(`/connections/${connection.id}/credentials`, { method: 'POST', headers: { ...bearer(service), 'content-type': 'application/xml' }, body: '<a/>' });
    expect(xml.status).toBe(415);
    expect(served).not.toHaveBeenCalled();
  });

  it('keeps the caller\'s request id, counts every answer in the metrics and survives callers that hang up', async () => {
    const response = await fetch(`${base}/connections/${connection.id}/credentials`, { ...json(service, '{}'), headers: { ...bearer(service), 'content-type': 'application/json', 'x-request-id': 'job-42.step-7' } });
    expect(response.headers.get('x-request-id')).toBe('job-42.step-7');
    const generated = await fetch(`${base}/connections/${connection.id}/credentials`, json(service, '{}'));
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const answered = async () => Number(/tether_http_requests_total\{method="POST",route="\/connections\/:id\/credentials",status="200"\} (\d+)/.exec((await t.http.get('/metrics')).text)?.[1] ?? 0);
    const before = await answered();
    await Promise.all(Array.from({ length: 5 }, () => fetch(`${base}/connections/${connection.id}/credentials`, json(service, '{}'))));
    expect(await answered()).toBe(before + 5);

    // Half a body, then gone: nothing to answer, and the next caller is served.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1', () => {
        socket.write(`POST /connections/${connection.id}/credentials HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${service}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"dura`);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
    expect((await send(`/connections/${connection.id}/credentials`, json(service, '{}'))).status).toBe(200);
  });
});
