import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Allow, Auth } from '../auth/auth.decorators';
import { AuthContext } from '../auth/auth-context';
import { Page } from '../common/http/pagination';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { ConnectionsService, etagOf } from './connections.service';
import { CreateConnectionQuery, CreateConnectionRequest, RotateExternalIdQuery, UpdateConnectionRequest } from './dto/connection-request.dto';
import { ConnectionListQuery, ConnectionPage, ConnectionResponse } from './dto/connection-response.dto';

export const CONNECTION_ID_PARAM = { name: 'id', description: 'The connection\'s id or name' };

@ApiTags('connections')
@ApiBearerAuth()
@Controller('connections')
export class ConnectionsController {
  constructor(@Inject(ConnectionsService) private readonly connections: ConnectionsService) {}

  @Post()
  @Allow('admin', 'editor')
  @ApiOperation({ summary: 'Create a connection; ?ifNotExists=true answers 200 with an existing one of the same name' })
  @ApiCreatedResponse({ type: ConnectionResponse })
  @ApiOkResponse({ type: ConnectionResponse, description: 'ifNotExists=true and the name exists' })
  @ProblemResponses(400, 401, 403, 409, 422)
  async create(
    @Auth() auth: AuthContext,
    @Body() body: CreateConnectionRequest,
    @Query() query: CreateConnectionQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConnectionResponse> {
    const { connection, created } = await this.connections.create(auth, body, query.ifNotExists === 'true');
    void reply.status(created ? 201 : 200).header('etag', etagOf(connection)).header('location', `/connections/${connection.id}`);
    return (await this.connections.toResponses([connection]))[0];
  }

  @Get()
  @Allow('admin', 'editor', 'viewer', 'service')
  @ApiOperation({ summary: 'List connections (service tokens see the ones they are granted)' })
  @ApiOkResponse({ type: ConnectionPage })
  @ProblemResponses(400, 401, 403)
  async list(@Auth() auth: AuthContext, @Query() query: ConnectionListQuery): Promise<Page<ConnectionResponse>> {
    const page = await this.connections.list(auth, query);
    return { items: await this.connections.toResponses(page.items), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Allow('admin', 'editor', 'viewer', 'service')
  @ApiOperation({ summary: 'Read a connection by id or name (with its ETag)' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiOkResponse({ type: ConnectionResponse })
  @ProblemResponses(401, 403, 404)
  async get(@Auth() auth: AuthContext, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<ConnectionResponse> {
    const connection = await this.connections.get(auth, id);
    void reply.header('etag', etagOf(connection));
    return (await this.connections.toResponses([connection]))[0];
  }

  @Patch(':id')
  @Allow('admin', 'editor')
  @ApiOperation({ summary: 'Edit a connection; needs If-Match. Changing region or auth resets validation to pending' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiHeader({ name: 'If-Match', required: true, description: 'The ETag from the last read' })
  @ApiOkResponse({ type: ConnectionResponse })
  @ProblemResponses(400, 401, 403, 404, 412, 422, 428)
  async update(
    @Auth() auth: AuthContext,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: UpdateConnectionRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConnectionResponse> {
    const connection = await this.connections.update(auth, id, ifMatch, body);
    void reply.header('etag', etagOf(connection));
    return (await this.connections.toResponses([connection]))[0];
  }

  @Delete(':id')
  @HttpCode(204)
  @Allow('admin', 'editor')
  @ApiOperation({ summary: 'Delete a connection and the secrets it owns' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiNoContentResponse()
  @ProblemResponses(401, 403, 404)
  delete(@Auth() auth: AuthContext, @Param('id') id: string): Promise<void> {
    return this.connections.delete(auth, id);
  }

  @Post(':id/external-id/rotate')
  @HttpCode(200)
  @Allow('admin', 'editor')
  @ApiOperation({ summary: 'Rotate the External ID: overlap (default) accepts a next one beside the current until validation promotes it; immediate replaces it now' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiOkResponse({ type: ConnectionResponse })
  @ProblemResponses(401, 403, 404, 409)
  async rotateExternalId(
    @Auth() auth: AuthContext,
    @Param('id') id: string,
    @Query() query: RotateExternalIdQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConnectionResponse> {
    const connection = await this.connections.rotateExternalId(auth, id, query.mode ?? 'overlap');
    void reply.header('etag', etagOf(connection));
    return (await this.connections.toResponses([connection]))[0];
  }
}
