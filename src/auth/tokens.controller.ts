import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery, Page } from '../common/http/pagination';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { Allow, Auth } from './auth.decorators';
import { AuthContext } from './auth-context';
import { CreatedTokenResponse, CreateTokenRequest, TokenPage, TokenResponse } from './dto/token.dto';
import { TokensService } from './tokens.service';

@ApiTags('tokens')
@ApiBearerAuth()
@Controller('tokens')
export class TokensController {
  constructor(@Inject(TokensService) private readonly tokens: TokensService) {}

  @Post()
  @Allow('admin')
  @ApiOperation({ summary: 'Create an API token (shown once)' })
  @ApiCreatedResponse({ type: CreatedTokenResponse })
  @ProblemResponses(400, 401, 403, 409)
  create(@Auth() auth: AuthContext, @Body() body: CreateTokenRequest): Promise<CreatedTokenResponse> {
    return this.tokens.create(auth, body);
  }

  @Get()
  @Allow('admin')
  @ApiOperation({ summary: 'List the workspace\'s API tokens (never the tokens themselves)' })
  @ApiOkResponse({ type: TokenPage })
  @ProblemResponses(400, 401, 403)
  list(@Auth() auth: AuthContext, @Query() page: PageQuery): Promise<Page<TokenResponse>> {
    return this.tokens.list(auth, page);
  }

  @Delete(':id')
  @HttpCode(204)
  @Allow('admin')
  @ApiOperation({ summary: 'Delete an API token; it stops working at once' })
  @ApiNoContentResponse()
  @ProblemResponses(401, 403, 404, 409)
  delete(@Auth() auth: AuthContext, @Param('id') id: string): Promise<void> {
    return this.tokens.delete(auth, id);
  }
}
