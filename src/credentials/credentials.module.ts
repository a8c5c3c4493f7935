import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { ProvidersModule } from '../providers';
import { SecretsModule } from '../secrets/secrets.module';
import { ConnectionCredentials } from './connection-credentials';
import { ConnectionSnapshots } from './connection-snapshots';
import { CredentialBroker } from './credential-broker';
import { CredentialsController } from './credentials.controller';
import { PlatformSessions } from './platform-sessions';

@Module({
  imports: [ProvidersModule, SecretsModule, ConnectionsModule],
  controllers: [CredentialsController],
  providers: [PlatformSessions, ConnectionCredentials, ConnectionSnapshots, CredentialBroker],
  exports: [PlatformSessions, ConnectionCredentials, CredentialBroker],
})
export class CredentialsModule {}
