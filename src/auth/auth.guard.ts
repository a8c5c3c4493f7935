import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticatedRequest } from './auth.decorators';
import { RequestAuthenticator, RouteRule, routeRuleOf } from './request-authenticator';

/**
 * Every route needs a token unless marked @Public(); the rules themselves live in
 * RequestAuthenticator, which the routes the front door answers (front-door.ts) call too.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Decorator metadata never changes after boot: read once per handler, not three times per request. */
  private readonly rules = new WeakMap<object, WeakMap<object, RouteRule>>();

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.authenticator.authorize(context.switchToHttp().getRequest<AuthenticatedRequest>(), this.ruleOf(context));
    return true;
  }

  private ruleOf(context: ExecutionContext): RouteRule {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.rules.get(controller);
    if (!byHandler) this.rules.set(controller, (byHandler = new WeakMap()));
    let rule = byHandler.get(handler);
    if (!rule) byHandler.set(handler, (rule = routeRuleOf(this.reflector, handler, controller)));
    return rule;
  }
}
