import { TokenRole } from './token-role';

/** Who is calling: resolved from the API token by the guard, passed explicitly to services. */
export interface AuthContext {
  readonly workspaceId: string;
  readonly tokenId: string;
  readonly tokenName: string;
  readonly role: TokenRole;
  /** For service tokens limited to named connections; null means every connection. */
  readonly connections: readonly string[] | null;
  readonly isBootstrap: boolean;
  readonly requestId: string;
}
