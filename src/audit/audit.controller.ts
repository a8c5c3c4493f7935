import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, Auth } from '../auth/auth.decorators';
import { AuthContext } from '../auth/auth-context';
import { Page } from '../common/http/pagination';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { AuditQueryService } from './audit-query.service';
import { AuditEventPage, AuditEventResponse, AuditQuery } from './dto/audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit-events')
export class AuditController {
  constructor(@Inject(AuditQueryService) private readonly audit: AuditQueryService) {}

  @Get()
  @Allow('admin', 'editor', 'viewer')
  @ApiOperation({ summary: 'The audit trail, oldest first, filtered and in cursor pages' })
  @ApiOkResponse({ type: AuditEventPage })
  @ProblemResponses(400, 401, 403)
  list(@Auth() auth: AuthContext, @Query() query: AuditQuery): Promise<Page<AuditEventResponse>> {
    return this.audit.list(auth, query);
  }
}
