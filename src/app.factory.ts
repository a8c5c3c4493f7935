import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'pino';
import { AppModule } from './app.module';
import { TetherConfig } from './config/load-config';
import { createValidationPipe } from './common/http/validation';
import { NestPinoLogger } from './common/logging/nest-pino-logger';
import { installJsonParser } from './common/http/json-body';
import { installStreamBodyParser } from './common/http/stream-body';
import { ProblemFilter, replyWithProblem } from './common/problem/problem.filter';
import { serveCredentialsDirectly } from './credentials/credentials-route';
import { httpRequestDuration, httpRequests } from './metrics/metrics';
import { buildOpenApiDocument } from './openapi/document';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CreateAppOptions {
  /** Build the module graph without opening the database (OpenAPI generation). */
  readonly preview?: boolean;
}

/** The whole HTTP application, configured the same way for `main`, tests and OpenAPI generation. */
export async function createApp(config: TetherConfig, logger: Logger, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    // A caller's own request id is kept when it is sane, so traces join up across services.
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    // Router errors (bad percent-encoding, over-long path parameters) get problem+json too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => replyWithProblem(error, request, reply, logger),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, {
    logger: new NestPinoLogger(logger.child({ component: 'nest' })),
    preview: options.preview,
    abortOnError: false,
    // Tether installs its own JSON parser (installJsonParser): depth limit, problem+json errors.
    bodyParser: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  installJsonParser(fastify);
  installStreamBodyParser(fastify);
  // Callback hooks rather than async ones: they run on every request, and each async hook costs a promise.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // One log line per request (Fastify's own logger stays off).
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequests.inc({ method: request.method, route, status: reply.statusCode });
    httpRequestDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    // Checked first so that, below info level, the line's fields are not even gathered.
    if (logger.isLevelEnabled('info')) logger.info({ requestId: request.id, method: request.method, route, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime) }, 'request');
    done();
  });

  const validation = createValidationPipe();
  app.useGlobalPipes(validation);
  app.useGlobalFilters(new ProblemFilter(logger));
  // The hot path other services call is served outside Nest's pipeline, from the same pieces.
  if (!options.preview) serveCredentialsDirectly(app, fastify, validation, logger);

  if (!options.preview) {
    SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
  }
  return app;
}
