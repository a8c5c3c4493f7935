import { Controller, Get, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { Allow, Auth } from '../auth/auth.decorators';
import { AuthContext } from '../auth/auth-context';
import { DeclaredLength, StreamBody, STREAM_CONTENT_TYPES, TakesStreamBody, WildcardParam } from '../common/http/stream-body';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { CONNECTION_ID_PARAM } from '../connections/connections.controller';
import { CodePackagesService } from './code-packages.service';
import { CodeListQuery, CodeObjectPage, CodePackageResponse } from './dto/code-packages.dto';

const KEY_PARAM = { name: 'key', type: String, description: 'Object key in the code bucket; may contain "/" (udf/score.zip). Printable, relative, no "..", at most 1024 bytes.', example: 'udf/score.zip' };

@ApiTags('code')
@ApiBearerAuth()
@Controller('connections/:id/code')
export class CodePackagesController {
  constructor(@Inject(CodePackagesService) private readonly packages: CodePackagesService) {}

  // The wildcard keeps the slashes of the key; the OpenAPI document names it {key}.
  @Put('*')
  @TakesStreamBody()
  @Allow('admin', 'editor', 'service')
  @ApiOperation({ summary: 'Stream a code package (zip) into the connection\'s code bucket; needs the deploy capability' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiParam(KEY_PARAM)
  @ApiConsumes(...STREAM_CONTENT_TYPES)
  @ApiBody({ required: true, schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: CodePackageResponse })
  @ProblemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 502)
  upload(@Auth() auth: AuthContext, @Param('id') id: string, @WildcardParam() key: string, @StreamBody() body: Readable | undefined, @DeclaredLength() declared: number | undefined): Promise<CodePackageResponse> {
    return this.packages.upload(auth, id, key, body, declared);
  }

  @Get()
  @Allow('admin', 'editor', 'viewer', 'service')
  @ApiOperation({ summary: 'List the packages in the connection\'s code bucket (cursor pages)' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiOkResponse({ type: CodeObjectPage })
  @ProblemResponses(400, 401, 403, 404, 409, 422, 429, 502)
  list(@Auth() auth: AuthContext, @Param('id') id: string, @Query() query: CodeListQuery): Promise<CodeObjectPage> {
    return this.packages.list(auth, id, query);
  }
}
