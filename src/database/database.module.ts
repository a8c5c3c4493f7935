import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { LOGGER } from '../common/logging/logger.token';
import { Database } from './database';
import { FleetChannel } from './fleet-channel';

@Global()
@Module({
  providers: [
    {
      provide: Database,
      inject: [TETHER_CONFIG, LOGGER],
      useFactory: (config: TetherConfig, logger: Logger) => Database.open(config, logger),
    },
    { provide: DataSource, inject: [Database], useFactory: (database: Database) => database.dataSource },
    FleetChannel,
  ],
  exports: [DataSource, Database, FleetChannel],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}
