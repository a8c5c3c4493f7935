import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'pino';
import { isDatabaseUnavailable } from '../../database/pg-errors';
import { ErrorCode } from './error-catalog';
import { Problem, problemOf, PROBLEM_CONTENT_TYPE } from './problem';
import { TetherError } from './tether-error';

/** Fastify's own error codes that are the client's fault, with the problem we answer. */
const FASTIFY_CLIENT_ERRORS: Record<string, { code: ErrorCode; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload-too-large', detail: 'The body is larger than TETHER_BODY_LIMIT_BYTES allows; send less.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported-media-type', detail: 'Send the body as application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'malformed-body', detail: 'Content-Length does not match the body.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed-body', detail: 'Content-Type is application/json but the body is empty; send a JSON object or drop the header.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed-body', detail: 'The body is not valid JSON.' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'unsupported-media-type', detail: 'The Content-Type header is not valid.' },
  FST_ERR_BAD_URL: { code: 'malformed-url', detail: 'The URL is not valid: check its percent-encoding.' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'not-found', detail: 'A path parameter is longer than any id or name.' },
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'invalid-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'route-not-found',
  405: 'method-not-allowed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
};

/** Fixed sentences where the framework's own message would not tell the caller what to do. */
const STATUS_DETAILS: Record<number, string> = {
  404: 'There is no such route; see /docs for the API.',
  413: FASTIFY_CLIENT_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE.detail,
  415: FASTIFY_CLIENT_ERRORS.FST_ERR_CTP_INVALID_MEDIA_TYPE.detail,
};

/**
 * Turns anything thrown into an RFC 9457 problem. A client mistake keeps its status; anything
 * else is a bare 500 whose stack goes to the log under the request id.
 */
export function toProblem(error: unknown, logger: Logger, requestId: string): { problem: Problem; headers: Record<string, string> } {
  if (isDatabaseUnavailable(error)) {
    logger.warn({ err: error, requestId }, 'database unavailable');
    return { problem: problemOf('database-unavailable', 'The database is unreachable right now; nothing was changed. Retry shortly.'), headers: { 'retry-after': '2' } };
  }
  if (error instanceof TetherError) {
    const { headers = {}, ...extras } = error.extras;
    return { problem: problemOf(error.code, error.detail, extras), headers };
  }
  const fastifyCode = (error as { code?: unknown })?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_CLIENT_ERRORS[fastifyCode]) {
    const { code, detail } = FASTIFY_CLIENT_ERRORS[fastifyCode];
    return { problem: problemOf(code, detail), headers: {} };
  }
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (error instanceof SyntaxError && statusCode === 400) {
    return { problem: problemOf('malformed-body', 'The body is not valid JSON.'), headers: {} };
  }
  const status = error instanceof HttpException ? error.getStatus() : typeof statusCode === 'number' ? statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = STATUS_CODES[status] ?? 'invalid-request';
    const detail = STATUS_DETAILS[status] ?? describeClientError(error);
    return { problem: { ...problemOf(code, detail), status }, headers: {} };
  }
  logger.error({ err: error, requestId }, 'unhandled error');
  return { problem: problemOf('internal', `Something went wrong on our side; quote request id ${requestId}.`), headers: {} };
}

function describeClientError(error: unknown): string {
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const message = typeof response === 'object' && response && 'message' in response ? response.message : response;
    return Array.isArray(message) ? message.join('; ') : String(message);
  }
  return error instanceof Error ? error.message : 'Bad request.';
}

/** Answers a request with the problem for `error`: the one rendering every route and hook uses. */
export function replyWithProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const { problem, headers } = toProblem(error, logger, String(request.id));
  sendProblem(request, reply, problem, headers);
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem, headers: Record<string, string>): void {
  void reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problemBody(problem, request.url, String(request.id)));
}

/** The problem as sent: it names the path it answers and the request id to quote. */
export function problemBody(problem: Problem, url: string, requestId: string): Problem {
  return { ...problem, instance: url.split('?')[0], requestId };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    replyWithProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}
