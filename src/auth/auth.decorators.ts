import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { AuthContext } from './auth-context';
import { TokenRole } from './token-role';

export const PUBLIC_ROUTE = 'tether:public';
export const ALLOWED_ROLES = 'tether:roles';
export const BOOTSTRAP_ONLY = 'tether:bootstrap-only';

/** No token needed (health checks only). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The roles that may call a route. A route without this (and not public) is refused to all. */
export const Allow = (...roles: TokenRole[]) => SetMetadata(ALLOWED_ROLES, roles);

/** Only the operator's bootstrap token (workspace management). */
export const BootstrapOnly = () => SetMetadata(BOOTSTRAP_ONLY, true);

export type AuthenticatedRequest = FastifyRequest & { auth?: AuthContext };

/** The caller, as resolved by the guard. */
export const Auth = createParamDecorator((_: unknown, context: ExecutionContext): AuthContext => {
  const auth = context.switchToHttp().getRequest<AuthenticatedRequest>().auth;
  if (!auth) throw new Error('route has no AuthContext: is it marked @Public()?');
  return auth;
});
