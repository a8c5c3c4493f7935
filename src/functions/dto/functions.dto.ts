import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow as AnyValue, ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_TIMEOUT_SECONDS } from '../function-limits';
import { Optional } from '../../common/http/optional';

export const MAX_BATCH_ROWS = 10_000;
export const MAX_ROWS_PER_CALL = 1_000_000;
export const MAX_CONCURRENCY = 32;

export class InvokeFunctionRequest {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The event, any JSON value; sent as the function\'s payload (default {}).', example: { name: 'Noah' } })
  @AnyValue()
  payload?: unknown;

  @ApiPropertyOptional({ description: 'Version or alias (Lambda Qualifier, FC qualifier, SCF Qualifier).', example: '$LATEST' })
  @Optional()
  @IsString()
  @Matches(/^[A-Za-z0-9$_-]{1,128}$/, { message: 'must be a version or alias name' })
  qualifier?: string;

  @ApiPropertyOptional({ enum: ['sync', 'async'], default: 'sync', description: 'sync waits for the result; async queues the event (Lambda Event, FC Async, SCF Event).' })
  @Optional()
  @IsIn(['sync', 'async'], { message: 'must be sync or async' })
  mode?: 'sync' | 'async';

  @ApiPropertyOptional({ description: 'Return the last 4 KB of the function\'s log (sync only).', default: false })
  @Optional()
  @IsBoolean()
  logs?: boolean;

  @ApiPropertyOptional({ description: `How long to wait for the cloud's answer, in seconds (default 60 sync, 15 async; at most ${MAX_TIMEOUT_SECONDS}).` })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_SECONDS)
  timeoutSeconds?: number;
}

export class FunctionErrorResponse {
  @ApiProperty({ example: 'Unhandled' })
  type!: string;

  @ApiProperty()
  message!: string;
}

export class InvokeFunctionResponse {
  @ApiProperty({ example: 200, description: 'The cloud\'s status: 200 sync, 202 async. A function that failed is still 200, with functionError.' })
  statusCode!: number;

  @ApiProperty({ description: 'The function\'s answer: JSON when it parses, else a string; null when empty (async).', nullable: true })
  payload!: unknown;

  @ApiProperty({ type: FunctionErrorResponse, nullable: true })
  functionError!: FunctionErrorResponse | null;

  @ApiProperty({ type: String, nullable: true, description: 'The log tail, when logs was true.' })
  log!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The cloud\'s request id.' })
  requestId!: string | null;

  @ApiProperty()
  durationMs!: number;
}

export class BatchRequest {
  @ApiProperty({ description: 'Argument lists, one per row; row i is sent as [i, ...args].', example: [['a', 1], ['b', 2]], type: 'array', items: { type: 'array', items: {} } })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ROWS_PER_CALL)
  @IsArray({ each: true, message: 'each row must be an array of arguments' })
  rows!: unknown[][];

  @ApiPropertyOptional({ default: 500, maximum: MAX_BATCH_ROWS, description: 'Most rows per invocation; batches are also cut to the cloud\'s payload limit.' })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(MAX_BATCH_ROWS)
  maxBatchRows?: number;

  @ApiPropertyOptional({ default: 4, maximum: MAX_CONCURRENCY, description: 'Most invocations in flight at once.' })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(MAX_CONCURRENCY)
  maxConcurrency?: number;

  @ApiPropertyOptional({ description: 'Version or alias.' })
  @Optional()
  @IsString()
  @Matches(/^[A-Za-z0-9$_-]{1,128}$/, { message: 'must be a version or alias name' })
  qualifier?: string;

  @ApiPropertyOptional({ description: `Per-invocation timeout in seconds (default 60, at most ${MAX_TIMEOUT_SECONDS}).` })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_SECONDS)
  timeoutSeconds?: number;
}

export class BatchResponse {
  @ApiProperty({ description: '[rowIndex, result] for every input row, in input order.', type: 'array', items: { type: 'array', items: {} } })
  data!: [number, unknown][];

  @ApiProperty({ description: 'Invocations made (retries not counted).' })
  batches!: number;

  @ApiProperty({ description: 'Invocations repeated after throttling or a cloud failure.' })
  retries!: number;

  @ApiProperty()
  durationMs!: number;
}

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export class HttpCallRequest {
  @ApiProperty({ enum: HTTP_METHODS, example: 'POST' })
  @IsIn(HTTP_METHODS, { message: `must be one of ${HTTP_METHODS.join(', ')}` })
  method!: (typeof HTTP_METHODS)[number];

  @ApiProperty({ example: 'https://abc123.execute-api.us-east-1.amazonaws.com/dev/hello', description: 'Its host:port must match one of the connection\'s functions.egress rules.' })
  @IsString()
  @MaxLength(8192)
  url!: string;

  @ApiPropertyOptional({ description: 'Extra headers; Authorization, Host and X-Amz-* are set by the signature.', example: { 'content-type': 'application/json' } })
  @Optional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'A string is sent as is; anything else as JSON.', example: { name: 'Noah' } })
  @AnyValue()
  body?: unknown;

  @ApiPropertyOptional({ description: 'Seconds to wait for the answer (default 30, at most 900).' })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_SECONDS)
  timeoutSeconds?: number;
}

export class HttpCallResponse {
  @ApiProperty({ example: 200 })
  status!: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  headers!: Record<string, string>;

  @ApiProperty({ description: 'JSON when the answer is JSON, else a string.' })
  body!: unknown;
}
