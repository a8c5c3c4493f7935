import { INestApplication, PipeTransform, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'pino';
import { AuthenticatedRequest } from '../auth/auth.decorators';
import { RequestAuthenticator, routeRuleOf } from '../auth/request-authenticator';
import { replyWithProblem } from '../common/problem/problem.filter';
import { CredentialsController } from './credentials.controller';
import { ordinaryCredentialsRequest } from './dto/credentials-request-shape';
import { IssueCredentialsRequest } from './dto/credentials.dto';

const BODY = { type: 'body', metatype: IssueCredentialsRequest, data: undefined } as const;

/**
 * Serves POST /connections/:id/credentials, the route other services call for every job, straight
 * from Fastify. Nest's per-request pipeline (guard, interceptor and pipe consumers, then
 * class-transformer and class-validator on the body) cost more CPU than everything the route itself
 * does, and kept a cache hit under half a bare node:http server's rate (README "Benchmarks").
 *
 * Nothing is re-implemented: the controller method still declares the route (Nest registers it,
 * OpenAPI documents it) and still does the work; the caller goes through the RequestAuthenticator
 * the guard calls, with the rule read from the same decorators; a body out of the ordinary goes
 * through the global ValidationPipe; errors are rendered by the problem filter's function; the
 * request hooks (request id, metrics, log line) are Fastify's and run as for every route. Only the
 * handler Nest gives Fastify for this one route is swapped, as Fastify registers it.
 */
export function serveCredentialsDirectly(app: INestApplication, fastify: FastifyInstance, pipe: PipeTransform, logger: Logger): void {
  const method = CredentialsController.prototype.issue;
  const controller = app.get(CredentialsController);
  const authenticator = app.get(RequestAuthenticator);
  const rule = routeRuleOf(app.get(Reflector), method, CredentialsController);
  const url = `/${Reflect.getMetadata(PATH_METADATA, CredentialsController)}/${Reflect.getMetadata(PATH_METADATA, method)}`;
  const verb = RequestMethod[Reflect.getMetadata(METHOD_METADATA, method) as RequestMethod];
  const status = Reflect.getMetadata(HTTP_CODE_METADATA, method) as number;

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const caller = request as AuthenticatedRequest;
    try {
      await authenticator.authorize(caller, rule);
      const body = ordinaryCredentialsRequest(request.body) ?? ((await pipe.transform(request.body, BODY)) as IssueCredentialsRequest);
      const answer = await controller.issue(caller.auth!, (request.params as { id: string }).id, body);
      return reply.status(status).send(answer);
    } catch (error) {
      replyWithProblem(error, request, reply, logger);
      return reply;
    }
  };
  fastify.addHook('onRoute', (route) => {
    if (route.method === verb && route.url === url) route.handler = handler;
  });
}
