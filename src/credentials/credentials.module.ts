import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { ProvidersModule } from '../providers';
import { SecretsModule } from '../secrets/secrets.module';
import { ConnectionCredentials } from './connection-credentials';
import { ConnectionSnapshots } from './connection-snapshots';
import { CredentialBroker } from './credential-broker';
import { CredentialsController } from './credentials.controller';

@Module({
  imports: [ProvidersModule, SecretsModule, ConnectionsModule],
  controllers: [CredentialsController],
  providers: [ConnectionCredentials, ConnectionSnapshots, CredentialBroker],
  exports: [ConnectionCredentials, CredentialBroker],
})
export class CredentialsModule {}
