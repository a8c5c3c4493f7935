import { IncomingMessage, Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { Logger } from 'pino';
import { AppModule } from './app.module';
import { TetherConfig } from './config/load-config';
import { createValidationPipe } from './common/http/validation';
import { NestPinoLogger } from './common/logging/nest-pino-logger';
import { installJsonParser } from './common/http/json-body';
import { installStreamBodyParser } from './common/http/stream-body';
import { ProblemFilter, replyWithProblem } from './common/problem/problem.filter';
import { FrontDoor } from './common/http/front-door';
import { recordRequest } from './common/http/request-record';
import { requestIdOf } from './common/http/request-id';
import { openCredentialsFrontDoor } from './credentials/credentials-front-door';
import { buildOpenApiDocument } from './openapi/document';

export interface CreateAppOptions {
  /** Build the module graph without opening the database (OpenAPI generation). */
  readonly preview?: boolean;
}

/** The whole HTTP application, configured the same way for `main`, tests and OpenAPI generation. */
export async function createApp(config: TetherConfig, logger: Logger, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const door = new FrontDoor(logger, config.http.bodyLimitBytes);
  const adapter = new TetherFastifyAdapter(door, {
    bodyLimit: config.http.bodyLimitBytes,
    serverFactory: door.serverFactory,
    genReqId: (request: IncomingMessage) => requestIdOf(request.headers),
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
    recordRequest(logger, { requestId: request.id, method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, durationMs: reply.elapsedTime });
    done();
  });

  const validation = createValidationPipe();
  app.useGlobalPipes(validation);
  app.useGlobalFilters(new ProblemFilter(logger));
  // The routes other services call for every job are answered in front of Fastify, from the same pieces.
  if (!options.preview) openCredentialsFrontDoor(app, door, validation);

  if (!options.preview) {
    SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
  }
  return app;
}

/** Fastify as Nest drives it, telling the front door when shutdown begins (Nest's own 503 starts then too). */
class TetherFastifyAdapter extends FastifyAdapter {
  constructor(
    private readonly door: FrontDoor,
    options: FastifyServerOptions<Server>,
  ) {
    super(options);
  }

  override beforeClose(): void {
    this.door.close();
    super.beforeClose();
  }

  override async close(): Promise<void> {
    this.door.close();
    await super.close();
  }
}
