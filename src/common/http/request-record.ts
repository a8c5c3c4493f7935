import { Logger } from 'pino';
import { countHttpRequest } from '../../metrics/metrics';

export interface CompletedRequest {
  readonly requestId: string;
  readonly method: string;
  /** The route template (`/connections/:id`), or 'unmatched'. */
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
}

/** What every answered request leaves behind: its metrics and, at info level, one log line. */
export function recordRequest(logger: Logger, request: CompletedRequest): void {
  countHttpRequest({ method: request.method, route: request.route, status: request.status, seconds: request.durationMs / 1000 });
  // Checked first so that, below info level, the line's fields are not even gathered.
  if (logger.isLevelEnabled('info')) {
    logger.info({ requestId: request.requestId, method: request.method, route: request.route, status: request.status, durationMs: Math.round(request.durationMs) }, 'request');
  }
}
