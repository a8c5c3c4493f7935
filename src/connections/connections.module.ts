import { Module } from '@nestjs/common';
import { SecretsModule } from '../secrets/secrets.module';
import { ConnectionChanges } from './connection-changes';
import { ConnectionsController } from './connections.controller';
import { ConnectionsService } from './connections.service';

@Module({
  imports: [SecretsModule],
  controllers: [ConnectionsController],
  providers: [ConnectionsService, ConnectionChanges],
  exports: [ConnectionsService, ConnectionChanges],
})
export class ConnectionsModule {}
