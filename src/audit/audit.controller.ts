import { Readable } from 'node:stream';
import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Allow, Auth } from '../auth/auth.decorators';
import { AuthContext } from '../auth/auth-context';
import { Page } from '../common/http/pagination';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { AuditQueryService, AuditVerification } from './audit-query.service';
import { AuditEventPage, AuditEventResponse, AuditQuery, AuditVerificationResponse } from './dto/audit.dto';

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

  @Get('verify')
  @Allow('admin', 'editor', 'viewer')
  @ApiOperation({ summary: 'Walk the hash chain of the workspace\'s trail and name the first event that does not match' })
  @ApiOkResponse({ type: AuditVerificationResponse })
  @ProblemResponses(401, 403)
  verify(@Auth() auth: AuthContext): Promise<AuditVerification> {
    return this.audit.verify(auth);
  }

  @Get('export')
  @Allow('admin', 'editor', 'viewer')
  @ApiOperation({ summary: 'The trail as JSON lines (application/x-ndjson), with the same filters as the list' })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'One audit event (as in the list) per line' })
  @ProblemResponses(400, 401, 403)
  export(@Auth() auth: AuthContext, @Query() query: AuditQuery, @Res() reply: FastifyReply): void {
    void reply.type('application/x-ndjson').send(Readable.from(this.audit.export(auth, query)));
  }
}
