import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import type { FunctionState } from '../../providers/deployment';
import { Optional } from '../../common/http/optional';

export const FUNCTION_STATES: readonly FunctionState[] = ['pending', 'active', 'failed', 'inactive'];
export const DEFAULT_MEMORY_MB = 128;
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 3;
export const DEFAULT_WAIT_SECONDS = 60;
export const MAX_WAIT_SECONDS = 900;

export class CodeRef {
  @ApiProperty({ description: 'Key of the package in the connection\'s code bucket (PUT /connections/:id/code/:key).', example: 'udf/score.zip', maxLength: 1024 })
  @IsString()
  @MaxLength(1024)
  key!: string;
}

/** An environment value: the value itself, or the name of a secret whose value is sent. */
export type EnvironmentValue = string | { secret: string };

export class DeployFunctionRequest {
  @ApiProperty({ description: 'The cloud\'s runtime name (Lambda python3.12, FC python3.10, SCF Python3.9, …).', example: 'python3.12', maxLength: 40 })
  @IsString()
  @MaxLength(40)
  runtime!: string;

  @ApiProperty({ description: 'Entry point, in the runtime\'s form (file.function for Python and Node.js).', example: 'index.handler', maxLength: 128 })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  @Matches(/^[^\s\u0000-\u001f\u007f]+$/, { message: 'must be an entry point without spaces or control characters, e.g. index.handler' })
  handler!: string;

  @ApiProperty({ type: CodeRef })
  @ValidateNested()
  @Type(() => CodeRef)
  code!: CodeRef;

  @ApiPropertyOptional({ description: 'Memory in MB (Lambda 128-10240; FC 128-32768 in steps of 64; SCF 64 or 128-3072 in steps of 128).', default: DEFAULT_MEMORY_MB, minimum: 64, maximum: 32768 })
  @Optional()
  @IsInt()
  @Min(64)
  @Max(32768)
  memoryMb?: number;

  @ApiPropertyOptional({ description: 'Longest run in seconds (Lambda and SCF up to 900, FC up to 86400).', default: DEFAULT_FUNCTION_TIMEOUT_SECONDS, minimum: 1, maximum: 86400 })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(86400)
  timeoutSeconds?: number;

  @ApiPropertyOptional({
    description: 'Variables by name ([A-Za-z_][A-Za-z0-9_]*): a string, or {"secret": "<name>"} to send a secret\'s value. Values are sealed in Tether, sent only to the cloud, never returned.',
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'object', required: ['secret'], properties: { secret: { type: 'string' } } }] },
    example: { MODE: 'fast', API_KEY: { secret: 'score_api_key' } },
  })
  @Optional()
  @IsObject()
  environment?: Record<string, EnvironmentValue>;

  @ApiPropertyOptional({ description: 'Publish an immutable version after the deploy.', default: false })
  @Optional()
  @IsBoolean()
  publish?: boolean;

  @ApiPropertyOptional({ maxLength: 256 })
  @Optional()
  @IsString()
  @MaxLength(256)
  description?: string;

  @ApiPropertyOptional({ description: `How long to wait for the cloud to report the function ready, in seconds (default ${DEFAULT_WAIT_SECONDS}).`, minimum: 1, maximum: MAX_WAIT_SECONDS })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(MAX_WAIT_SECONDS)
  waitSeconds?: number;
}

export class DeployFunctionResponse {
  @ApiProperty({ example: 'score' }) name!: string;
  @ApiProperty({ enum: FUNCTION_STATES, example: 'active' }) state!: FunctionState;
  @ApiProperty() runtime!: string;
  @ApiProperty() handler!: string;
  @ApiProperty({ description: 'SHA-256 (hex) of the deployed package, as Tether uploaded it.', nullable: true, type: String }) codeSha256!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The version published for this code and configuration; null when publish was false.' }) version!: string | null;
  @ApiProperty({ description: 'false when the same package and configuration were already deployed: nothing was written to the cloud.' }) changed!: boolean;
}

export class DeploymentRecordResponse {
  @ApiProperty() codeKey!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null when the package carried no Tether checksum.' }) codeSha256!: string | null;
  @ApiProperty({ type: String, nullable: true }) version!: string | null;
  @ApiProperty({ format: 'date-time' }) deployedAt!: string;
}

export class FunctionResponse {
  @ApiProperty() name!: string;
  @ApiPropertyOptional({ description: 'FC service or SCF namespace.' }) namespace?: string;
  @ApiProperty({ enum: FUNCTION_STATES }) state!: FunctionState;
  @ApiPropertyOptional({ description: 'The cloud\'s sentence for a pending or failed state.' }) stateReason?: string;
  @ApiProperty() runtime!: string;
  @ApiProperty() handler!: string;
  @ApiProperty() memoryMb!: number;
  @ApiProperty() timeoutSeconds!: number;
  @ApiProperty({ type: String, nullable: true, description: 'The cloud\'s own code fingerprint (Lambda base64 SHA-256, FC CRC-64, SCF its hash).' }) cloudCodeHash!: string | null;
  @ApiProperty({ type: Number, nullable: true }) codeSize!: number | null;
  @ApiProperty({ type: String, nullable: true }) lastModified!: string | null;
  @ApiProperty({ type: [String], description: 'Names only; values are never read back.' }) environmentKeys!: string[];
  @ApiPropertyOptional() executionRoleArn?: string;
  @ApiProperty({ type: DeploymentRecordResponse, nullable: true, description: 'What Tether last deployed as this function; null when it was made elsewhere.' }) deployment!: DeploymentRecordResponse | null;
}

export class FunctionListQuery {
  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page\'s nextCursor.', maxLength: 2048 })
  @Optional()
  @IsString()
  @MaxLength(2048)
  cursor?: string;
}

export class FunctionPageResponse {
  @ApiProperty({ type: [FunctionResponse] }) items!: FunctionResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
