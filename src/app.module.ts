import { DynamicModule, Module } from '@nestjs/common';
import { Logger } from 'pino';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ConnectionsModule } from './connections/connections.module';
import { TetherConfig } from './config/load-config';
import { CoreModule } from './core.module';
import { CredentialsModule } from './credentials/credentials.module';
import { DatabaseModule } from './database/database.module';
import { FunctionsModule } from './functions/functions.module';
import { HealthModule } from './health/health.module';
import { SecretsModule } from './secrets/secrets.module';
import { TrustPoliciesModule } from './trust-policies/trust-policies.module';
import { ValidationModule } from './validation/validation.module';
import { PostureModule } from './posture/posture.module';

@Module({})
export class AppModule {
  static forRoot(config: TetherConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        DatabaseModule,
        AuditModule,
        AuthModule,
        SecretsModule,
        ConnectionsModule,
        TrustPoliciesModule,
        CredentialsModule,
        ValidationModule,
        PostureModule,
        FunctionsModule,
        HealthModule,
      ],
    };
  }
}
