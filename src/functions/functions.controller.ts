import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Allow, Auth } from '../auth/auth.decorators';
import { AuthContext } from '../auth/auth-context';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { CONNECTION_ID_PARAM } from '../connections/connections.controller';
import { BatchRequest, BatchResponse, HttpCallRequest, HttpCallResponse, InvokeFunctionRequest, InvokeFunctionResponse } from './dto/functions.dto';
import { FunctionsService } from './functions.service';

const FUNCTION_PARAM = { name: 'function', description: 'The function\'s name (Lambda name or ARN; FC function in the connection\'s namespace as service; SCF function in its namespace)' };

@ApiTags('functions')
@ApiBearerAuth()
@Controller('connections/:id')
export class FunctionsController {
  constructor(@Inject(FunctionsService) private readonly functions: FunctionsService) {}

  @Post('functions/:function/invoke')
  @HttpCode(200)
  @Allow('admin', 'editor', 'service')
  @ApiOperation({ summary: 'Invoke one function through the connection; a function that throws is a 200 with functionError' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiParam(FUNCTION_PARAM)
  @ApiOkResponse({ type: InvokeFunctionResponse })
  @ProblemResponses(400, 401, 403, 404, 409, 413, 422, 429, 502, 504)
  invoke(@Auth() auth: AuthContext, @Param('id') id: string, @Param('function') fn: string, @Body() body: InvokeFunctionRequest): Promise<InvokeFunctionResponse> {
    return this.functions.invoke(auth, id, fn, body);
  }

  @Post('functions/:function/batch')
  @HttpCode(200)
  @Allow('admin', 'editor', 'service')
  @ApiOperation({ summary: 'Rows through an external function ({"data": [[rowIndex, args...]]}), batched by count and bytes, retried on throttling, answered in input order' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiParam(FUNCTION_PARAM)
  @ApiOkResponse({ type: BatchResponse })
  @ProblemResponses(400, 401, 403, 404, 409, 413, 422, 429, 502, 504)
  batch(@Auth() auth: AuthContext, @Param('id') id: string, @Param('function') fn: string, @Body() body: BatchRequest): Promise<BatchResponse> {
    return this.functions.batch(auth, id, fn, body);
  }

  @Post('http')
  @HttpCode(200)
  @Allow('admin', 'editor', 'service')
  @ApiOperation({ summary: 'A SigV4-signed (execute-api) request to an API Gateway endpoint the connection\'s egress rules allow' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiOkResponse({ type: HttpCallResponse })
  @ProblemResponses(400, 401, 403, 404, 409, 502, 504)
  http(@Auth() auth: AuthContext, @Param('id') id: string, @Body() body: HttpCallRequest): Promise<HttpCallResponse> {
    return this.functions.http(auth, id, body);
  }
}
