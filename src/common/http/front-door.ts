import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyServerFactory } from 'fastify';
import { Logger } from 'pino';
import { AuthContext } from '../../auth/auth-context';
import { problemBody, toProblem } from '../problem/problem.filter';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem';
import { PromiseOrValue } from '../promise-or-value';
import { parseJsonBody } from './json-body';
import { recordRequest } from './request-record';
import { requestIdOf } from './request-id';

/** A request as a front-door route sees it: what the authenticator and the controller read. */
export interface FrontDoorRequest {
  readonly id: string;
  readonly headers: IncomingHttpHeaders;
  readonly params: Readonly<Record<string, string>>;
  /** The parsed JSON body; undefined when none was sent. */
  readonly body: unknown;
  /** Set by the RequestAuthenticator. */
  auth?: AuthContext;
}

/** A route the front door answers itself, in its ordinary form; every other form goes to Fastify. */
export interface FrontDoorRoute {
  readonly method: 'GET' | 'POST';
  /** The template as Fastify registers it (`/connections/:id/credentials`), also the metrics' route label. */
  readonly template: string;
  /** The status of a successful answer. */
  readonly status: number;
  /** The answer, serialised as JSON; a throw or a rejection is rendered as a problem like any route's. */
  handle(request: FrontDoorRequest): PromiseOrValue<unknown>;
}

interface CompiledRoute {
  readonly route: FrontDoorRoute;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

/** Path parameters the front door takes: plain ids and names. Percent-encoded or longer ones go to Fastify's router. */
const PARAMETER = '([A-Za-z0-9_-]{1,100})';
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = `${PROBLEM_CONTENT_TYPE}; charset=utf-8`;

/**
 * The HTTP server in front of Fastify. It answers the few routes other services call for every
 * job (credentials) straight from node:http, and hands every other request, and every unusual form
 * of these (a query string, percent-encoding, a chunked or non-JSON body, a body over the limit, a
 * request during shutdown), to Fastify untouched, before reading a byte of its body.
 *
 * Fastify and Nest's per-request machinery (routing, request and reply objects, hooks, the guard,
 * interceptor and pipe consumers) cost several times what these routes do themselves, and kept a
 * cache hit under half a bare node:http server's rate (README "Benchmarks"). Nothing is
 * re-implemented: a route is the controller method Nest registers and documents, called after the
 * same RequestAuthenticator the guard calls; bodies go through the same JSON parser; errors are
 * rendered by the problem filter's functions; every answer is counted and logged like Fastify's.
 * test/integration/front-door.int-spec.ts checks that both ways answer alike.
 */
export class FrontDoor {
  private readonly routes: CompiledRoute[] = [];
  private readonly serialized = new WeakMap<object, string>();
  private closing = false;

  constructor(
    private readonly logger: Logger,
    private readonly bodyLimitBytes: number,
  ) {}

  /**
   * Fastify's `serverFactory`: the server Fastify listens on, configured with the timeouts Fastify
   * itself would set, passing Fastify's handler whatever the front door does not answer.
   */
  readonly serverFactory: FastifyServerFactory<Server> = (fastifyHandler, options) => {
    const server = createServer((request, response) => {
      if (!this.answer(request, response)) fastifyHandler(request, response);
    });
    // Fastify has filled in its defaults by the time it calls the factory.
    const { keepAliveTimeout, requestTimeout, connectionTimeout, maxRequestsPerSocket } = options as Record<'keepAliveTimeout' | 'requestTimeout' | 'connectionTimeout' | 'maxRequestsPerSocket', number>;
    server.keepAliveTimeout = keepAliveTimeout;
    server.requestTimeout = requestTimeout;
    server.setTimeout(connectionTimeout);
    if (maxRequestsPerSocket > 0) server.maxRequestsPerSocket = maxRequestsPerSocket;
    return server;
  };

  add(route: FrontDoorRoute): void {
    const names: string[] = [];
    const source = route.template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return PARAMETER;
    });
    this.routes.push({ route, pattern: new RegExp(`^${source}$`), names });
  }

  /** JSON of an answer; a frozen answer (one a route hands out again and again) is serialised once. */
  private serialize(answer: unknown): string {
    if (typeof answer !== 'object' || answer === null || !Object.isFrozen(answer)) return JSON.stringify(answer);
    let text = this.serialized.get(answer);
    if (text === undefined) this.serialized.set(answer, (text = JSON.stringify(answer)));
    return text;
  }

  /** From the start of shutdown on, Fastify answers everything (with its 503 and Connection: close). */
  close(): void {
    this.closing = true;
  }

  /** Answers the request and returns true, or returns false without having touched it. */
  private answer(request: IncomingMessage, response: ServerResponse): boolean {
    if (this.closing || this.routes.length === 0) return false;
    const url = request.url ?? '';
    for (const compiled of this.routes) {
      if (compiled.route.method !== request.method) continue;
      const match = compiled.pattern.exec(url);
      if (!match || !this.takesBody(request.headers)) continue;
      const params: Record<string, string> = {};
      compiled.names.forEach((name, index) => (params[name] = match[index + 1]));
      this.serve(compiled.route, params, request, response);
      return true;
    }
    return false;
  }

  /**
   * Bodies the front door reads: none, or JSON of a declared length within the body limit.
   * Chunked bodies, other media types and bodies over the limit get Fastify's own answers.
   */
  private takesBody(headers: IncomingHttpHeaders): boolean {
    if (headers['transfer-encoding'] !== undefined) return false;
    const length = headers['content-length'];
    const type = headers['content-type'];
    if (type === undefined) return length === undefined || length === '0';
    return (JSON_TYPES.has(type) || JSON_TYPES.has(type.toLowerCase())) && length !== undefined && Number(length) <= this.bodyLimitBytes;
  }

  private serve(route: FrontDoorRoute, params: Record<string, string>, request: IncomingMessage, response: ServerResponse): void {
    const started = performance.now();
    const id = requestIdOf(request.headers);
    const url = request.url ?? '';
    const finish = (status: number, headers: Record<string, string | number>, payload: string) => {
      response.writeHead(status, headers).end(payload);
      recordRequest(this.logger, { requestId: id, method: route.method, route: route.template, status, durationMs: performance.now() - started });
    };
    const succeed = (answer: unknown) => {
      let payload: string;
      try {
        payload = this.serialize(answer);
      } catch (error) {
        // Never out of the request's event handler (that would end the process): a 500 like any route's.
        return fail(error);
      }
      finish(route.status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(payload), 'x-request-id': id }, payload);
    };
    const fail = (error: unknown) => {
      const { problem, headers } = toProblem(error, this.logger, id);
      const payload = JSON.stringify(problemBody(problem, url, id));
      finish(problem.status, { ...headers, 'content-type': PROBLEM_TYPE, 'content-length': Buffer.byteLength(payload), 'x-request-id': id }, payload);
    };
    // A cache hit is answered synchronously all the way: no promise, no microtask.
    const respond = (text: string | undefined) => {
      let answer: unknown;
      try {
        answer = route.handle({ id, headers: request.headers, params, body: text === undefined ? undefined : parseJsonBody(text), auth: undefined });
      } catch (error) {
        return fail(error);
      }
      if (answer instanceof Promise) answer.then(succeed, fail);
      else succeed(answer);
    };

    if (request.headers['content-type'] === undefined) {
      request.resume();
      respond(undefined);
      return;
    }
    // A caller that goes away mid-body never reaches 'end' and is answered nothing; Node emits
    // 'error' on a request only to listeners, and drops writes to a destroyed response.
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => respond(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
  }
}
