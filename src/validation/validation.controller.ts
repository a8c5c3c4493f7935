import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Allow, Auth } from '../auth/auth.decorators';
import { AuthContext } from '../auth/auth-context';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { CONNECTION_ID_PARAM } from '../connections/connections.controller';
import { ValidationResponse } from '../connections/dto/connection-response.dto';
import { ValidationResult, ValidationService } from './validation.service';

@ApiTags('connections')
@ApiBearerAuth()
@Controller('connections')
export class ValidationController {
  constructor(@Inject(ValidationService) private readonly validation: ValidationService) {}

  @Post(':id/validate')
  @HttpCode(200)
  @Allow('admin', 'editor')
  @ApiOperation({
    summary: 'Run the checks against the cloud and keep the result: assume with the External ID, refuse without it, caller identity, code bucket, functions',
  })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiOkResponse({ type: ValidationResponse })
  @ProblemResponses(401, 403, 404, 409)
  validate(@Auth() auth: AuthContext, @Param('id') id: string): Promise<ValidationResult> {
    return this.validation.validate(auth, id);
  }
}
