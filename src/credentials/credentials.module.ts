import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { ProvidersModule } from '../providers';
import { SecretsModule } from '../secrets/secrets.module';
import { ConnectionCredentials } from './connection-credentials';

@Module({
  imports: [ProvidersModule, SecretsModule, ConnectionsModule],
  providers: [ConnectionCredentials],
  exports: [ConnectionCredentials],
})
export class CredentialsModule {}
