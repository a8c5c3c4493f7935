import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Allow, Auth } from '../auth/auth.decorators';
import { AuthContext } from '../auth/auth-context';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { CONNECTION_ID_PARAM } from '../connections/connections.controller';
import { DeploymentsService } from './deployments.service';
import { DeployFunctionRequest, DeployFunctionResponse, FunctionListQuery, FunctionPageResponse, FunctionResponse } from './dto/deployments.dto';

const FUNCTION_PARAM = { name: 'function', description: 'The function\'s name (Lambda; FC in the connection\'s namespace as service; SCF in its namespace)' };

@ApiTags('functions')
@ApiBearerAuth()
@Controller('connections/:id/functions')
export class DeploymentsController {
  constructor(@Inject(DeploymentsService) private readonly deployments: DeploymentsService) {}

  @Put(':function')
  @HttpCode(200)
  @Allow('admin', 'editor', 'service')
  @ApiOperation({ summary: 'Deploy a function from a package in the code bucket: create it, or update what changed, wait until ready, publish when asked. The same package and configuration again write nothing (changed: false). Needs the deploy capability.' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiParam(FUNCTION_PARAM)
  @ApiOkResponse({ type: DeployFunctionResponse })
  @ProblemResponses(400, 401, 403, 404, 409, 422, 429, 502, 504)
  deploy(@Auth() auth: AuthContext, @Param('id') id: string, @Param('function') fn: string, @Body() body: DeployFunctionRequest): Promise<DeployFunctionResponse> {
    return this.deployments.deploy(auth, id, fn, body);
  }

  @Get()
  @Allow('admin', 'editor', 'viewer', 'service')
  @ApiOperation({ summary: 'List the functions of the connection\'s region and namespace (cursor pages)' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiOkResponse({ type: FunctionPageResponse })
  @ProblemResponses(400, 401, 403, 404, 409, 422, 429, 502)
  list(@Auth() auth: AuthContext, @Param('id') id: string, @Query() query: FunctionListQuery): Promise<FunctionPageResponse> {
    return this.deployments.list(auth, id, query);
  }

  @Get(':function')
  @Allow('admin', 'editor', 'viewer', 'service')
  @ApiOperation({ summary: 'Read one function: state, runtime, handler, memory, timeout, code hash, last modified, environment names' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiParam(FUNCTION_PARAM)
  @ApiOkResponse({ type: FunctionResponse })
  @ProblemResponses(400, 401, 403, 404, 409, 422, 429, 502)
  read(@Auth() auth: AuthContext, @Param('id') id: string, @Param('function') fn: string): Promise<FunctionResponse> {
    return this.deployments.read(auth, id, fn);
  }

  @Delete(':function')
  @HttpCode(204)
  @Allow('admin', 'editor', 'service')
  @ApiOperation({ summary: 'Drop the function in the cloud and Tether\'s record of it; needs the deploy capability' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiParam(FUNCTION_PARAM)
  @ApiNoContentResponse()
  @ProblemResponses(400, 401, 403, 404, 409, 422, 429, 502)
  drop(@Auth() auth: AuthContext, @Param('id') id: string, @Param('function') fn: string): Promise<void> {
    return this.deployments.drop(auth, id, fn);
  }
}
