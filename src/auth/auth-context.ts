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
  /**
   * Set for tokens created with `provenance: true`: the workspace's name, so credentials issued to
   * this caller can name the workspace, connection and token in the cloud session.
   */
  readonly provenance?: { readonly workspaceName: string };
  readonly requestId: string;
}
