import { Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { andThen, PromiseOrValue } from '../common/promise-or-value';
import { TetherError } from '../common/problem/tether-error';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthContext } from './auth-context';
import { ALLOWED_ROLES, BOOTSTRAP_ONLY, PUBLIC_ROUTE } from './auth.decorators';
import { RateLimiter } from './rate-limiter';
import { TokenRole } from './token-role';
import { Caller, TokensService } from './tokens.service';

/** What a route's decorators say about who may call it. */
export interface RouteRule {
  readonly isPublic: boolean;
  readonly bootstrapOnly: boolean;
  readonly allowed: readonly TokenRole[];
}

/** What the authenticator reads of a request (a Fastify request, or the front door's), and sets. */
export interface CallerRequest {
  readonly headers: IncomingHttpHeaders;
  readonly id: string;
  auth?: AuthContext;
}

/** Reads a route's @Public / @BootstrapOnly / @Allow, the handler's own overriding its controller's. */
export function routeRuleOf(reflector: Reflector, handler: object, controller: object): RouteRule {
  // Reflector types its targets as functions (handlers and classes); these are exactly those.
  const targets = [handler, controller] as unknown as Parameters<Reflector['getAllAndOverride']>[1];
  return {
    isPublic: reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) === true,
    bootstrapOnly: reflector.getAllAndOverride<boolean>(BOOTSTRAP_ONLY, targets) === true,
    allowed: reflector.getAllAndOverride<TokenRole[]>(ALLOWED_ROLES, targets) ?? [],
  };
}

/**
 * Who may make a request: the token, its rate limit, the route's roles. One instance (and so one
 * rate limiter) serves the Nest guard and the routes the front door answers (front-door.ts),
 * so both enforce exactly the same rules with the same answers.
 */
@Injectable()
export class RequestAuthenticator {
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(TokensService) private readonly tokens: TokensService,
    @Inject(TETHER_CONFIG) private readonly config: TetherConfig,
  ) {
    this.limiter = new RateLimiter(config.rateLimitPerMinute);
  }

  /**
   * Sets `request.auth` to the caller, or throws the TetherError to answer (401, 403, 429). A route
   * that names no roles is refused to everyone, so forgetting @Allow fails closed. A token this
   * process knows is checked at once (a throw, or undefined); only a token lookup returns a promise.
   */
  authorize(request: CallerRequest, rule: RouteRule): PromiseOrValue<void> {
    if (rule.isPublic) return;
    const presented = presentedToken(request.headers.authorization);
    if (!presented) {
      throw new TetherError('unauthenticated', 'Send an API token as "Authorization: Bearer <token>".', { headers: { 'www-authenticate': 'Bearer' } });
    }
    return andThen(this.tokens.authenticate(presented), (caller) => this.admit(request, rule, caller));
  }

  private admit(request: CallerRequest, rule: RouteRule, caller: Caller | null): void {
    if (!caller) {
      throw new TetherError('unauthenticated', 'The token is unknown, deleted or expired.', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    }
    request.auth = callerContext(caller, request.id);
    const quota = this.limiter.take(caller.tokenId);
    if (!quota.allowed) {
      throw new TetherError('rate-limited', `This token made more than ${this.config.rateLimitPerMinute} requests in a minute; retry after ${quota.retryAfterSeconds} s.`, {
        headers: { 'retry-after': String(quota.retryAfterSeconds) },
      });
    }

    if (rule.bootstrapOnly) {
      if (!caller.isBootstrap) throw new TetherError('forbidden', 'Only the operator\'s bootstrap token may manage workspaces.');
      return;
    }
    const { allowed } = rule;
    if (!allowed.includes(caller.role)) {
      throw new TetherError('forbidden', `A ${caller.role} token may not do this; it needs one of: ${allowed.join(', ') || 'none'}.`);
    }
  }
}

/** The caller with this request's id, written out rather than spread: this runs for every request. */
function callerContext(caller: Caller, requestId: string): AuthContext {
  const { workspaceId, tokenId, tokenName, role, connections, isBootstrap, provenance } = caller;
  return provenance ? { workspaceId, tokenId, tokenName, role, connections, isBootstrap, provenance, requestId } : { workspaceId, tokenId, tokenName, role, connections, isBootstrap, requestId };
}

/**
 * "Bearer <token>", or the bare token: the AWS SDKs send AWS_CONTAINER_AUTHORIZATION_TOKEN
 * verbatim as the Authorization header.
 */
function presentedToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const bearer = /^Bearer\s+(\S+)$/i.exec(value);
  if (bearer) return bearer[1];
  return /^\S+$/.test(value) ? value : undefined;
}
