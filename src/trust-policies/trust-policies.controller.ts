import { Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Allow, Auth } from '../auth/auth.decorators';
import { AuthContext } from '../auth/auth-context';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { CONNECTION_ID_PARAM } from '../connections/connections.controller';
import { OnboardingQuery, RevokeResponse, TrustPolicyResponse } from './dto/trust-policy.dto';
import { TrustPoliciesService } from './trust-policies.service';

@ApiTags('connections')
@ApiBearerAuth()
@Controller('connections')
export class TrustPoliciesController {
  constructor(@Inject(TrustPoliciesService) private readonly trustPolicies: TrustPoliciesService) {}

  @Get(':id/trust-policy')
  @Allow('admin', 'editor', 'viewer')
  @ApiOperation({ summary: 'The principal, External ID, trust and permission policies in the cloud\'s own language, and how to install them' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiOkResponse({ type: TrustPolicyResponse })
  @ProblemResponses(401, 403, 404, 409, 422)
  render(@Auth() auth: AuthContext, @Param('id') id: string): Promise<TrustPolicyResponse> {
    return this.trustPolicies.render(auth, id);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Allow('admin')
  @ApiOperation({ summary: 'Break glass: new External ID now, cached credentials dropped on every replica, and the policy that denies sessions issued before now' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiOkResponse({ type: RevokeResponse })
  @ProblemResponses(401, 403, 404, 409)
  revoke(@Auth() auth: AuthContext, @Param('id') id: string): Promise<RevokeResponse> {
    return this.trustPolicies.revoke(auth, id);
  }

  @Get(':id/onboarding')
  @Allow('admin', 'editor', 'viewer')
  @ApiOperation({
    summary: 'A template that creates the role with the rendered trust and permission policies: CloudFormation (AWS) or Terraform JSON (all three clouds)',
  })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'The template, as a file to save (Content-Disposition names it)', schema: { type: 'object', additionalProperties: true } })
  @ProblemResponses(400, 401, 403, 404, 409)
  async onboarding(@Auth() auth: AuthContext, @Param('id') id: string, @Query() query: OnboardingQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const document = await this.trustPolicies.onboarding(auth, id, query.format);
    void reply.type(document.contentType).header('content-disposition', `attachment; filename="${document.fileName}"`);
    return document.content;
  }
}
