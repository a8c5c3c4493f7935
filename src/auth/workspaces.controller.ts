import { Body, Controller, Get, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery, Page } from '../common/http/pagination';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { Auth, BootstrapOnly } from './auth.decorators';
import { AuthContext } from './auth-context';
import { CreatedWorkspaceResponse, CreateWorkspaceRequest, WorkspacePage, WorkspaceResponse } from './dto/workspace.dto';
import { WorkspacesService } from './workspaces.service';

@ApiTags('workspaces')
@ApiBearerAuth()
@Controller('workspaces')
export class WorkspacesController {
  constructor(@Inject(WorkspacesService) private readonly workspaces: WorkspacesService) {}

  @Post()
  @BootstrapOnly()
  @ApiOperation({ summary: 'Create a workspace and its first admin token (bootstrap token only)' })
  @ApiCreatedResponse({ type: CreatedWorkspaceResponse })
  @ProblemResponses(400, 401, 403, 409)
  create(@Auth() auth: AuthContext, @Body() body: CreateWorkspaceRequest): Promise<CreatedWorkspaceResponse> {
    return this.workspaces.create(auth, body.name);
  }

  @Get()
  @BootstrapOnly()
  @ApiOperation({ summary: 'List workspaces (bootstrap token only)' })
  @ApiOkResponse({ type: WorkspacePage })
  @ProblemResponses(400, 401, 403)
  list(@Query() page: PageQuery): Promise<Page<WorkspaceResponse>> {
    return this.workspaces.list(page);
  }
}
