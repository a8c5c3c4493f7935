import { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { TetherError } from '../problem/tether-error';

/** Deeper than any request Tether takes; deeper bodies would only exhaust the validator's stack. */
export const MAX_JSON_DEPTH = 32;

/** How deep a parsed value nests, walked without recursion so a hostile body cannot overflow the stack. */
export function exceedsDepth(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(current as object)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * A JSON request body as Tether reads it: prototype-poisoning protection (secure-json-parse), a
 * nesting limit, and failures as Tether's own problems rather than framework errors.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') {
    throw new TetherError('malformed-body', 'Content-Type is application/json but the body is empty; send a JSON object or drop the header.');
  }
  let parsed: unknown;
  try {
    parsed = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const poisoned = error instanceof SyntaxError && /prototype/i.test(error.message);
    throw new TetherError('malformed-body', poisoned ? 'The body has a __proto__ or constructor.prototype key; remove it.' : 'The body is not valid JSON.');
  }
  if (exceedsDepth(parsed, MAX_JSON_DEPTH)) {
    throw new TetherError('malformed-body', `The body nests deeper than ${MAX_JSON_DEPTH} levels; no request needs that.`);
  }
  return parsed;
}

/** Replaces Fastify's JSON parser with parseJsonBody. */
export function installJsonParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    let parsed: unknown;
    try {
      parsed = parseJsonBody(String(body));
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    done(null, parsed);
  });
}
