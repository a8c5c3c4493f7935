import { DynamicModule, Global, Module } from '@nestjs/common';
import { Logger } from 'pino';
import { TETHER_CONFIG, TetherConfig } from './config/load-config';
import { LOGGER } from './common/logging/logger.token';

/** Makes the validated configuration and the root logger injectable everywhere. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: TetherConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: TETHER_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [TETHER_CONFIG, LOGGER],
    };
  }
}
