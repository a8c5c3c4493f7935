import { Readable } from 'node:stream';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TetherError } from '../problem/tether-error';

/** Content types of raw uploads (code packages). */
export const STREAM_CONTENT_TYPES = ['application/zip', 'application/octet-stream'] as const;

interface StreamRouteConfig {
  streamBody?: boolean;
}

/** Marks a route whose handler reads the raw request stream itself (see {@link StreamBody}). */
export const TakesStreamBody = () => RouteConfig({ streamBody: true } satisfies StreamRouteConfig);

/**
 * Hands zip and octet-stream bodies to the handler unread, so a large upload never sits in
 * memory; the handler enforces its own size limit while it reads. Routes not marked with
 * {@link TakesStreamBody} refuse these types, as they refuse any type other than JSON.
 */
export function installStreamBodyParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser([...STREAM_CONTENT_TYPES], (request, payload, done) => {
    if ((request.routeOptions.config as StreamRouteConfig | undefined)?.streamBody) {
      done(null, payload);
      return;
    }
    done(new TetherError('unsupported-media-type', `This route takes application/json, not ${String(request.headers['content-type'])}.`), undefined);
  });
}

/** The part of the path a `*` wildcard route matched (Fastify names it `*`), undecoded slashes kept. */
export const WildcardParam = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const params = context.switchToHttp().getRequest<FastifyRequest>().params as Record<string, string | undefined>;
  return params['*'] ?? '';
});

/** The declared Content-Length, when it is a plain number. */
export const DeclaredLength = createParamDecorator((_: unknown, context: ExecutionContext): number | undefined => {
  const length = context.switchToHttp().getRequest<FastifyRequest>().headers['content-length'];
  return typeof length === 'string' && /^\d{1,16}$/.test(length) ? Number(length) : undefined;
});

/**
 * The raw body of a {@link TakesStreamBody} route, or undefined for a JSON or empty body: the
 * service refuses that (415) only after the connection was found, so another workspace's caller
 * learns nothing but 404.
 */
export const StreamBody = createParamDecorator((_: unknown, context: ExecutionContext): Readable | undefined => {
  const body = context.switchToHttp().getRequest<FastifyRequest>().body;
  return body instanceof Readable ? body : undefined;
});

/** The 415 for a stream route that got no raw body. */
export function streamBodyRequired(): TetherError {
  return new TetherError('unsupported-media-type', `Send the package as the raw request body with Content-Type ${STREAM_CONTENT_TYPES.join(' or ')}.`);
}
