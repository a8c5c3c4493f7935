import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TetherError } from '../problem/tether-error';
import { FrontDoor } from './front-door';

describe('FrontDoor', () => {
  let server: Server;
  let base: string;
  const door = new FrontDoor(pino({ level: 'silent' }), 64);

  beforeAll(async () => {
    door.add({ method: 'POST', template: '/things/:id/echo', status: 200, handle: (request) => ({ id: request.params.id, body: request.body }) });
    door.add({ method: 'GET', template: '/things/:id/later', status: 200, handle: async (request) => ({ later: request.params.id }) });
    door.add({ method: 'GET', template: '/things/:id/refused', status: 200, handle: () => Promise.reject(new TetherError('forbidden', 'Not this one.')) });
    door.add({ method: 'GET', template: '/things/:id/unserialisable', status: 200, handle: () => ({ big: 1n }) });
    // Fastify's place: whatever the front door hands on.
    server = door.serverFactory((request, response) => response.writeHead(299, { 'content-type': 'text/plain' }).end(`fastify ${request.method} ${request.url}`), {
      keepAliveTimeout: 5000,
      requestTimeout: 10_000,
      connectionTimeout: 0,
      maxRequestsPerSocket: 0,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, body: string, type = 'application/json') => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('answers its routes, synchronous or not, with JSON and a request id', async () => {
    const echo = await post('/things/a_1/echo', '{"n":1}');
    expect(echo.status).toBe(200);
    expect(echo.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(echo.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await echo.json()).toEqual({ id: 'a_1', body: { n: 1 } });
    expect(await (await fetch(`${base}/things/b/later`)).json()).toEqual({ later: 'b' });
  });

  it('renders refusals and its own failures as problems, and stays up', async () => {
    const refused = await fetch(`${base}/things/x/refused`);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await refused.json()).toMatchObject({ type: '/problems/forbidden', detail: 'Not this one.', instance: '/things/x/refused' });
    const broken = await fetch(`${base}/things/x/unserialisable`);
    expect(broken.status).toBe(500);
    expect(await broken.json()).toMatchObject({ type: '/problems/internal' });
    expect((await post('/things/x/echo', '{"n":')).status).toBe(400);
    expect((await post('/things/x/echo', '{}')).status).toBe(200);
  });

  it('hands every other form to Fastify untouched', async () => {
    const handedOn = async (response: Response) => {
      expect(response.status).toBe(299);
      return response.text();
    };
    expect(await handedOn(await post('/things/x/echo?q=1', '{}'))).toBe('fastify POST /things/x/echo?q=1');
    expect(await handedOn(await post('/things/%78/echo', '{}'))).toBe('fastify POST /things/%78/echo');
    expect(await handedOn(await post('/things/x/echo', '{}', 'text/plain'))).toBe('fastify POST /things/x/echo');
    expect(await handedOn(await post('/things/x/echo', JSON.stringify({ pad: 'x'.repeat(100) })))).toBe('fastify POST /things/x/echo');
    expect(await handedOn(await fetch(`${base}/things/x/echo`))).toBe('fastify GET /things/x/echo');
    expect(await handedOn(await fetch(`${base}/things/x/later/more`))).toBe('fastify GET /things/x/later/more');
    door.close();
    expect(await handedOn(await fetch(`${base}/things/b/later`))).toBe('fastify GET /things/b/later');
  });
});
