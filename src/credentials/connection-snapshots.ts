import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthContext } from '../auth/auth-context';
import { Clock, TtlCache } from '../common/cache/ttl-cache';
import { PromiseOrValue } from '../common/promise-or-value';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { ConnectionChanges } from '../connections/connection-changes';
import { ConnectionEntity } from '../connections/connection.entity';
import { ConnectionsService, refuseUngranted } from '../connections/connections.service';
import { SecretChanges } from '../secrets/secret-changes';

/** A connection as the broker last read it, with the version stamp its credentials are cached under. */
export interface ConnectionSnapshot {
  readonly connection: ConnectionEntity;
  /** The connection's version and, for access_key connections, its secrets' versions. */
  readonly stamp: string;
}

/**
 * The broker's in-process copy of connections, so a cache hit for credentials reads no row.
 * Dropped at once when this process edits, rotates, validates (posture included), revokes or
 * deletes the connection or rotates one of its secrets, and when another replica announces it did
 * (FleetChanges); at the latest, another replica's change is seen within
 * TETHER_LOOKUP_CACHE_SECONDS. Grants are checked against the caller on every lookup.
 */
@Injectable()
export class ConnectionSnapshots implements OnModuleInit, OnModuleDestroy {
  private readonly snapshots: TtlCache<ConnectionSnapshot>;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ConnectionsService) private readonly connections: ConnectionsService,
    @Inject(ConnectionChanges) private readonly connectionChanges: ConnectionChanges,
    @Inject(SecretChanges) private readonly secretChanges: SecretChanges,
    @Inject(TETHER_CONFIG) config: TetherConfig,
  ) {
    this.snapshots = new TtlCache<ConnectionSnapshot>(config.lookupCacheSeconds * 1000);
  }

  onModuleInit(): void {
    const offConnections = this.connectionChanges.onChange((id) => this.snapshots.deleteWhere((s) => s.connection.id === id));
    const offSecrets = this.secretChanges.onChange((id) => this.snapshots.deleteWhere((s) => s.connection.secretId === id || s.connection.sessionTokenSecretId === id));
    this.unsubscribe = () => {
      offConnections();
      offSecrets();
    };
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Test hook: the clock the snapshots' lifetime is measured with. */
  useClock(clock: Clock): void {
    this.snapshots.useClock(clock);
  }

  /** `:id` (id or name) for the caller: 404 outside its workspace, 403 when not granted. At once when this process knows it. */
  lookup(auth: AuthContext, idOrName: string): PromiseOrValue<ConnectionSnapshot> {
    const key = `${auth.workspaceId}/${idOrName}`;
    const cached = this.snapshots.get(key);
    if (cached) {
      refuseUngranted(auth, cached.connection);
      return cached;
    }
    return this.read(auth, idOrName, key);
  }

  private async read(auth: AuthContext, idOrName: string, key: string): Promise<ConnectionSnapshot> {
    const since = this.snapshots.mark();
    const connection = await this.connections.get(auth, idOrName);
    const snapshot = { connection, stamp: await this.stampOf(connection) };
    this.snapshots.set(key, snapshot, since);
    return snapshot;
  }

  /**
   * The version of everything credentials derive from: the connection's version (edits, External
   * ID rotation, revoke) and, for access_key connections, the versions of their secrets (rotation).
   */
  async stampOf(connection: ConnectionEntity): Promise<string> {
    if (connection.authType !== 'access_key') return `c${connection.version}`;
    const ids = [connection.secretId, connection.sessionTokenSecretId].filter((id): id is string => id !== null);
    const rows: { id: string; version: number }[] = await this.dataSource.query('SELECT id, version FROM secrets WHERE id = ANY($1)', [ids]);
    const versions = ids.map((id) => rows.find((row) => row.id === id)?.version ?? 0);
    return `c${connection.version}/s${versions.join('.')}`;
  }
}
