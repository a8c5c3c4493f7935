import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditQueryService } from './audit-query.service';
import { AuditRetention } from './audit-retention';
import { AuditService } from './audit.service';

/** Global: every module that mutates records through AuditService. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditService, AuditQueryService, AuditRetention],
  exports: [AuditService],
})
export class AuditModule {}
