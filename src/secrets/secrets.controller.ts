import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Allow, Auth } from '../auth/auth.decorators';
import { AuthContext } from '../auth/auth-context';
import { PageQuery, Page } from '../common/http/pagination';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { CreateSecretRequest, SecretPage, SecretResponse, SecretValueRequest } from './dto/secret.dto';
import { SecretsService } from './secrets.service';

const ID_PARAM = { name: 'id', description: 'The secret\'s id or name' };

@ApiTags('secrets')
@ApiBearerAuth()
@Controller('secrets')
export class SecretsController {
  constructor(@Inject(SecretsService) private readonly secrets: SecretsService) {}

  @Post()
  @Allow('admin', 'editor')
  @ApiOperation({ summary: 'Store a secret (write-only; the value is sealed and never returned)' })
  @ApiCreatedResponse({ type: SecretResponse })
  @ProblemResponses(400, 401, 403, 409)
  create(@Auth() auth: AuthContext, @Body() body: CreateSecretRequest): Promise<SecretResponse> {
    return this.secrets.create(auth, body.name, body.value);
  }

  @Get()
  @Allow('admin', 'editor', 'viewer')
  @ApiOperation({ summary: 'List secrets (metadata only)' })
  @ApiOkResponse({ type: SecretPage })
  @ProblemResponses(400, 401, 403)
  list(@Auth() auth: AuthContext, @Query() page: PageQuery): Promise<Page<SecretResponse>> {
    return this.secrets.list(auth, page);
  }

  @Get(':id')
  @Allow('admin', 'editor', 'viewer')
  @ApiOperation({ summary: 'Read a secret\'s metadata' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: SecretResponse })
  @ProblemResponses(401, 403, 404)
  get(@Auth() auth: AuthContext, @Param('id') id: string): Promise<SecretResponse> {
    return this.secrets.get(auth, id);
  }

  @Put(':id/value')
  @Allow('admin', 'editor')
  @ApiOperation({ summary: 'Rotate a secret: store a new value as the next version' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: SecretResponse })
  @ProblemResponses(400, 401, 403, 404)
  rotate(@Auth() auth: AuthContext, @Param('id') id: string, @Body() body: SecretValueRequest): Promise<SecretResponse> {
    return this.secrets.rotate(auth, id, body.value);
  }

  @Delete(':id')
  @HttpCode(204)
  @Allow('admin', 'editor')
  @ApiOperation({ summary: 'Delete a secret (refused while a connection uses it)' })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse()
  @ProblemResponses(401, 403, 404, 409)
  delete(@Auth() auth: AuthContext, @Param('id') id: string): Promise<void> {
    return this.secrets.delete(auth, id);
  }
}
