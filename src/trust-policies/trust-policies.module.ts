import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { TrustPoliciesController } from './trust-policies.controller';
import { TrustPoliciesService } from './trust-policies.service';

@Module({
  imports: [ConnectionsModule],
  controllers: [TrustPoliciesController],
  providers: [TrustPoliciesService],
  exports: [TrustPoliciesService],
})
export class TrustPoliciesModule {}
