import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { CredentialsModule } from '../credentials/credentials.module';
import { ProvidersModule } from '../providers';
import { SecretsModule } from '../secrets/secrets.module';
import { CodePackagesController } from './code-packages.controller';
import { CodePackagesService } from './code-packages.service';
import { DeployableConnections } from './deployable-connections';
import { DeploymentsController } from './deployments.controller';
import { DeploymentsService } from './deployments.service';
import { FunctionsController } from './functions.controller';
import { FunctionsService } from './functions.service';

/** Functions through a connection: invocation (single calls, row batches, signed API Gateway requests), code packages and deployment. */
@Module({
  imports: [ConnectionsModule, CredentialsModule, ProvidersModule, SecretsModule],
  controllers: [FunctionsController, CodePackagesController, DeploymentsController],
  providers: [FunctionsService, CodePackagesService, DeploymentsService, DeployableConnections],
  exports: [FunctionsService],
})
export class FunctionsModule {}
