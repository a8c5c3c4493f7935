import { Inject, Injectable } from '@nestjs/common';
import { AuditTarget } from '../audit/audit.service';
import { AuthContext } from '../auth/auth-context';
import { TetherError } from '../common/problem/tether-error';
import { ConnectionEntity } from '../connections/connection.entity';
import { ConnectionsService } from '../connections/connections.service';
import { CredentialBroker } from '../credentials/credential-broker';
import { CloudCredentials, CodeBucket, FunctionDeployer, ProviderRegistry } from '../providers';
import { refuseInsecure, requireCapability } from '../connections/connection-use';

/** A connection ready for code and function calls: the row, its cloud's code bucket and deployer, credentials. */
export interface DeploymentTarget {
  connection: ConnectionEntity;
  codeBucket: CodeBucket;
  deployer: FunctionDeployer;
  credentials: () => Promise<CloudCredentials>;
}

/**
 * Resolves a connection for the code and deployment routes, once, with the same refusals for
 * every route: other workspace 404, ungranted service token 403, insecure 409, and for writes the
 * deploy capability (403 naming it).
 */
@Injectable()
export class DeployableConnections {
  constructor(
    @Inject(ConnectionsService) private readonly connections: ConnectionsService,
    @Inject(CredentialBroker) private readonly broker: CredentialBroker,
    @Inject(ProviderRegistry) private readonly providers: ProviderRegistry,
  ) {}

  async resolve(auth: AuthContext, idOrName: string, target: AuditTarget, access: 'read' | 'write'): Promise<DeploymentTarget> {
    const connection = await this.connections.get(auth, idOrName);
    target.connectionId = connection.id;
    Object.assign((target.detail ??= {}), { connection: connection.name, provider: connection.provider });
    refuseInsecure(connection);
    if (access === 'write') requireCapability(connection, 'deploy');
    const { codeBucket, deployer } = this.providers.get(connection.provider);
    return { connection, codeBucket, deployer, credentials: () => this.broker.credentialsFor(connection) };
  }
}

/** The connection's code bucket, or a 409 saying how to set one. */
export function codeBucketOf(connection: ConnectionEntity): string {
  const bucket = connection.functions?.codeBucket;
  if (!bucket) {
    throw new TetherError('code-bucket-not-set', `Connection '${connection.name}' has no code bucket; set functions.codeBucket with PATCH /connections/${connection.name}, then re-install the permission policy from GET /connections/${connection.name}/trust-policy.`, {
      errors: [{ field: 'functions.codeBucket', message: 'is not set on the connection' }],
    });
  }
  return bucket;
}
