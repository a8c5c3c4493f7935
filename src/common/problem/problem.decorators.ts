import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem';

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', example: '/problems/invalid-request' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `errors` names each field',
  401: 'Missing, unknown or expired token',
  403: 'The token\'s role may not do this',
  404: 'Not found in this workspace',
  409: 'Conflicts with the current state',
  412: 'If-Match does not match the current ETag',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'Cannot be carried out',
  428: 'If-Match is required',
  429: 'Rate limited; see Retry-After',
  502: 'The cloud refused or failed',
  503: 'Unavailable',
  504: 'The cloud did not answer or finish in time',
};

/** Declares the problem+json answers of a route in the OpenAPI document. */
export function ProblemResponses(...statuses: number[]): MethodDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Problem', content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_SCHEMA } } }),
    ),
  );
}
