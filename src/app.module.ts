import { DynamicModule, Module } from '@nestjs/common';
import { Logger } from 'pino';
import { AuthModule } from './auth/auth.module';
import { TetherConfig } from './config/load-config';
import { CoreModule } from './core.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { SecretsModule } from './secrets/secrets.module';

@Module({})
export class AppModule {
  static forRoot(config: TetherConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config, logger), DatabaseModule, AuthModule, SecretsModule, HealthModule],
    };
  }
}
