import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TetherError } from '../common/problem/tether-error';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { RateLimiter } from './rate-limiter';
import { ALLOWED_ROLES, AuthenticatedRequest, BOOTSTRAP_ONLY, PUBLIC_ROUTE } from './auth.decorators';
import { TokenRole } from './token-role';
import { TokensService } from './tokens.service';

/**
 * Every route needs a token unless marked @Public(); a route that names no roles is refused to
 * everyone, so forgetting @Allow fails closed.
 */
/** What a route's decorators say about who may call it. */
interface RouteRule {
  isPublic: boolean;
  bootstrapOnly: boolean;
  allowed: TokenRole[];
}

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly limiter: RateLimiter;
  /** Decorator metadata never changes after boot: read once per handler, not three times per request. */
  private readonly rules = new WeakMap<object, WeakMap<object, RouteRule>>();

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TokensService) private readonly tokens: TokensService,
    @Inject(TETHER_CONFIG) private readonly config: TetherConfig,
  ) {
    this.limiter = new RateLimiter(config.rateLimitPerMinute);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.ruleOf(context);
    if (rule.isPublic) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = presentedToken(request.headers.authorization);
    if (!presented) {
      throw new TetherError('unauthenticated', 'Send an API token as "Authorization: Bearer <token>".', { headers: { 'www-authenticate': 'Bearer' } });
    }
    const caller = await this.tokens.authenticate(presented);
    if (!caller) {
      throw new TetherError('unauthenticated', 'The token is unknown, deleted or expired.', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    }
    request.auth = { ...caller, requestId: String(request.id) };
    const quota = this.limiter.take(caller.tokenId);
    if (!quota.allowed) {
      throw new TetherError('rate-limited', `This token made more than ${this.config.rateLimitPerMinute} requests in a minute; retry after ${quota.retryAfterSeconds} s.`, {
        headers: { 'retry-after': String(quota.retryAfterSeconds) },
      });
    }

    if (rule.bootstrapOnly) {
      if (!caller.isBootstrap) throw new TetherError('forbidden', 'Only the operator\'s bootstrap token may manage workspaces.');
      return true;
    }
    const { allowed } = rule;
    if (!allowed.includes(caller.role)) {
      throw new TetherError('forbidden', `A ${caller.role} token may not do this; it needs one of: ${allowed.join(', ') || 'none'}.`);
    }
    return true;
  }

  private ruleOf(context: ExecutionContext): RouteRule {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.rules.get(controller);
    if (!byHandler) this.rules.set(controller, (byHandler = new WeakMap()));
    let rule = byHandler.get(handler);
    if (!rule) {
      const targets = [handler, controller];
      rule = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) === true,
        bootstrapOnly: this.reflector.getAllAndOverride<boolean>(BOOTSTRAP_ONLY, targets) === true,
        allowed: this.reflector.getAllAndOverride<TokenRole[]>(ALLOWED_ROLES, targets) ?? [],
      };
      byHandler.set(handler, rule);
    }
    return rule;
  }
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
