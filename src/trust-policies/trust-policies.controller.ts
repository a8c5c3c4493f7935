import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Allow, Auth } from '../auth/auth.decorators';
import { AuthContext } from '../auth/auth-context';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { CONNECTION_ID_PARAM } from '../connections/connections.controller';
import { TrustPolicyResponse } from './dto/trust-policy.dto';
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
}
