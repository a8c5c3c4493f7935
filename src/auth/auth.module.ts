import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { RequestAuthenticator } from './request-authenticator';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';
import { WorkspacesController } from './workspaces.controller';
import { WorkspacesService } from './workspaces.service';

@Module({
  controllers: [TokensController, WorkspacesController],
  providers: [TokensService, WorkspacesService, RequestAuthenticator, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokensService, RequestAuthenticator],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(@Inject(WorkspacesService) private readonly workspaces: WorkspacesService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.workspaces.bootstrap();
  }
}
