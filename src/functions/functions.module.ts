import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { CredentialsModule } from '../credentials/credentials.module';
import { ProvidersModule } from '../providers';
import { FunctionsController } from './functions.controller';
import { FunctionsService } from './functions.service';

/** Invocation through a connection: single calls, row batches, and signed API Gateway requests. */
@Module({
  imports: [ConnectionsModule, CredentialsModule, ProvidersModule],
  controllers: [FunctionsController],
  providers: [FunctionsService],
  exports: [FunctionsService],
})
export class FunctionsModule {}
