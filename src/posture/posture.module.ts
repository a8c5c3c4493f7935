import { Module } from '@nestjs/common';
import { ValidationModule } from '../validation/validation.module';
import { PostureScheduler } from './posture-scheduler';

@Module({
  imports: [ValidationModule],
  providers: [PostureScheduler],
  exports: [PostureScheduler],
})
export class PostureModule {}
