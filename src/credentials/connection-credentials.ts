import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sessionName } from '../cloud-identifiers';
import { TetherError } from '../common/problem/tether-error';
import { ConnectionEntity } from '../connections/connection.entity';
import { assumesRole } from '../connections/connections.service';
import { CloudCredentials, IssuedCredentials, ProviderRegistry } from '../providers';
import { SecretsService } from '../secrets/secrets.service';
import { PlatformSessions } from './platform-sessions';

/** Default lifetime Tether asks STS for: an hour, the longest a chained role session may last. */
export const DEFAULT_DURATION_SECONDS = 3600;

export interface CredentialRequest {
  durationSeconds?: number;
  /** A policy document that narrows what the credentials may do. */
  sessionPolicy?: object;
  /** Who asked, for tokens with provenance: named in the cloud session. */
  provenance?: Provenance;
}

/** The workspace, connection and token a session is issued for (tokens created with `provenance: true`). */
export interface Provenance {
  readonly workspace: string;
  readonly connection: string;
  readonly token: string;
  readonly tokenId: string;
}

/**
 * AWS session tags naming the caller; they appear in the customer's CloudTrail beside every call
 * the session makes. Keys stay under `tether:`, the prefix the rendered trust policy allows.
 */
export function provenanceTags(provenance: Provenance): Record<string, string> {
  return {
    'tether:workspace': provenance.workspace,
    'tether:connection': provenance.connection,
    'tether:token': provenance.token,
    // Token names can be reused after a delete; the id cannot.
    'tether:token-id': provenance.tokenId,
  };
}

/**
 * RoleSessionName: the connection's own prefix (default `tether`), then the workspace, connection
 * and token for provenance, within each cloud's length and character rules (sessionName cuts and
 * hashes what does not fit).
 */
export function roleSessionName(connection: Pick<ConnectionEntity, 'sessionName' | 'name' | 'provider'>, provenance?: Provenance): string {
  const prefix = connection.sessionName ?? 'tether';
  const parts = provenance ? [prefix, provenance.workspace, connection.name, provenance.token] : [prefix, connection.name];
  return sessionName(parts, connection.provider);
}

/**
 * Obtains credentials for a connection from the cloud, uncached: an AssumeRole with the
 * connection's External ID, or the connection's own keys. The broker caches on top of this.
 */
@Injectable()
export class ConnectionCredentials {
  constructor(
    @Inject(ProviderRegistry) private readonly providers: ProviderRegistry,
    @Inject(SecretsService) private readonly secrets: SecretsService,
    @Inject(PlatformSessions) private readonly platform: PlatformSessions,
  ) {}

  /** `sessionTags: false` leaves the AWS provenance tags out (a trust policy without sts:TagSession). */
  async obtain(connection: ConnectionEntity, request: CredentialRequest = {}, manager?: EntityManager, options: { sessionTags?: boolean } = {}): Promise<IssuedCredentials | CloudCredentials> {
    const provider = this.providers.get(connection.provider);
    if (assumesRole(connection)) {
      // Only AWS STS takes session tags; Alibaba Cloud and Tencent Cloud sessions carry the name alone.
      const tags = request.provenance && connection.provider === 'aws' && options.sessionTags !== false ? provenanceTags(request.provenance) : undefined;
      return provider.assumeRole({
        region: connection.region,
        roleArn: connection.roleArn as string,
        externalId: connection.externalId ?? undefined,
        sessionName: roleSessionName(connection, request.provenance),
        ...(tags ? { sessionTags: tags } : {}),
        durationSeconds: request.durationSeconds ?? DEFAULT_DURATION_SECONDS,
        sessionPolicy: request.sessionPolicy,
        // The ambient identity, or the platform role's session when the principal is a role (chaining).
        caller: await this.platform.callerFor(connection.provider, connection.region),
      });
    }
    if (connection.authType === 'access_key') return this.keysOf(connection, manager);
    throw new TetherError('not-applicable', `Connection '${connection.name}' uses the platform's own identity without a role; there is nothing to assume.`);
  }

  /** The long-lived keys of an access_key connection, opened from their sealed secrets. */
  async keysOf(connection: ConnectionEntity, manager?: EntityManager): Promise<CloudCredentials> {
    // Inside a transaction the caller passes its manager: the embedded database has one connection.
    const secret = await this.secrets.reveal(connection.workspaceId, connection.secretId as string, manager);
    const token = connection.sessionTokenSecretId ? await this.secrets.reveal(connection.workspaceId, connection.sessionTokenSecretId, manager) : undefined;
    return { accessKeyId: connection.accessKeyId as string, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
  }
}
