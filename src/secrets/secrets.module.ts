import { Module } from '@nestjs/common';
import { Logger } from 'pino';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { LOGGER } from '../common/logging/logger.token';
import { Keyring, loadKeyring } from './keyring';
import { SecretChanges } from './secret-changes';
import { SecretsController } from './secrets.controller';
import { SecretsService } from './secrets.service';

@Module({
  controllers: [SecretsController],
  providers: [
    SecretsService,
    SecretChanges,
    { provide: Keyring, inject: [TETHER_CONFIG, LOGGER], useFactory: (config: TetherConfig, logger: Logger) => loadKeyring(config, logger) },
  ],
  exports: [SecretsService, SecretChanges, Keyring],
})
export class SecretsModule {}
