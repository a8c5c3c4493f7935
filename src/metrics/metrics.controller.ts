import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { metricsRegistry } from './metrics';

@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  @Get()
  @Public()
  @Header('content-type', metricsRegistry.contentType)
  @ApiOperation({ summary: 'Prometheus metrics: requests, credential cache, cloud calls, invocations (counts only, never a secret)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format' })
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
