import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CLOUD_PROVIDERS, CloudProvider } from '../../cloud-identifiers';
import { IDENTIFIER_MESSAGE, IDENTIFIER_PATTERN } from '../../common/http/identifier';
import { SECRET_VALUE_MAX_LENGTH } from '../../secrets/dto/secret.dto';
import type { AuthType, FunctionCapability } from '../connection.entity';
import { Optional } from '../../common/http/optional';

export const AUTH_TYPES: readonly AuthType[] = ['assume_role', 'access_key', 'platform'];
export const CAPABILITIES: readonly FunctionCapability[] = ['invoke', 'deploy'];

/** A secret by reference (`{"secret": "name"}`) or by value (`{"value": "..."}`), which is sealed into a secret the connection owns. */
export class SecretRefDto {
  @ApiPropertyOptional({ description: 'Name or id of an existing secret of the workspace.', example: 'aws_secret_key' })
  @Optional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be the name or id of a secret' })
  secret?: string;

  @ApiPropertyOptional({ description: 'The value itself; it is sealed into a secret owned by the connection and never returned.', writeOnly: true })
  @Optional()
  @IsString()
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(SECRET_VALUE_MAX_LENGTH)
  value?: string;
}

export class ConnectionAuthDto {
  @ApiProperty({ enum: AUTH_TYPES, description: 'assume_role: a role in the customer account, assumed with the External ID. access_key: an access key and its secret. platform: the platform\'s own identity, optionally assuming roleArn.' })
  @IsIn(AUTH_TYPES, { message: `must be one of ${AUTH_TYPES.join(', ')}` })
  type!: AuthType;

  @ApiPropertyOptional({ example: 'arn:aws-cn:iam::028022243208:role/CzUdfRole', description: 'assume_role (required) and platform (optional). acs:ram::<uid>:role/<name> on Alibaba Cloud, qcs::cam::uin/<uin>:roleName/<name> on Tencent Cloud.' })
  @Optional()
  @IsString()
  @MaxLength(2048)
  roleArn?: string;

  @ApiPropertyOptional({ example: 'tether', description: 'RoleSessionName prefix shown in the customer\'s audit log.' })
  @Optional()
  @IsString()
  @MaxLength(64)
  sessionName?: string;

  @ApiPropertyOptional({ example: 'AKIAIOSFODNN7EXAMPLE', description: 'access_key only.' })
  @Optional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{4,128}$/, { message: 'must be an access key id: 4 to 128 letters, digits, dots, dashes or underscores' })
  accessKeyId?: string;

  @ApiPropertyOptional({ type: SecretRefDto, description: 'access_key only: the secret access key.' })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => SecretRefDto)
  secretAccessKey?: SecretRefDto;

  @ApiPropertyOptional({ type: SecretRefDto, description: 'access_key only, optional: a session token that goes with temporary keys.' })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => SecretRefDto)
  sessionToken?: SecretRefDto;
}

export class FunctionSettingsDto {
  @ApiPropertyOptional({ example: 'default', description: 'Tencent SCF namespace (required for Tencent), Alibaba FC service; unused on AWS.' })
  @Optional()
  @IsString()
  @MaxLength(128)
  namespace?: string;

  @ApiPropertyOptional({ example: 'cz-udf-code', description: 'Bucket holding code packages (S3, OSS, or COS as <name>-<appid>).' })
  @Optional()
  @IsString()
  @MaxLength(63)
  codeBucket?: string;

  @ApiPropertyOptional({ enum: CAPABILITIES, isArray: true, default: ['invoke'], description: 'What Tether may do with functions through this connection.' })
  @Optional()
  @IsArray()
  @ArrayUnique()
  @IsIn(CAPABILITIES, { each: true, message: 'each capability must be invoke or deploy' })
  capabilities?: FunctionCapability[];

  @ApiPropertyOptional({ description: 'The role deployed functions run as (passed with iam:PassRole / ram:PassRole / cam:PassRole).' })
  @Optional()
  @IsString()
  @MaxLength(2048)
  executionRoleArn?: string;

  @ApiPropertyOptional({ type: [String], example: ['abc123.execute-api.us-east-1.amazonaws.com:443'], description: 'host:port values that POST /connections/:id/http may reach.' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?:\d{1,5}$/, { each: true, message: 'each egress rule must be host:port, such as abc123.execute-api.us-east-1.amazonaws.com:443' })
  egress?: string[];
}

export class CreateConnectionRequest {
  @ApiProperty({ example: 'udf_noah', pattern: IDENTIFIER_PATTERN.source })
  @IsString()
  @Matches(IDENTIFIER_PATTERN, { message: IDENTIFIER_MESSAGE })
  name!: string;

  @ApiProperty({ enum: CLOUD_PROVIDERS })
  @IsIn(CLOUD_PROVIDERS, { message: `must be one of ${CLOUD_PROVIDERS.join(', ')}` })
  provider!: CloudProvider;

  @ApiProperty({ example: 'cn-north-1' })
  @IsString()
  @MaxLength(64)
  region!: string;

  @ApiProperty({ type: ConnectionAuthDto })
  @IsObject({ message: 'must be an object with a type' })
  @ValidateNested()
  @Type(() => ConnectionAuthDto)
  auth!: ConnectionAuthDto;

  @ApiPropertyOptional({ type: FunctionSettingsDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => FunctionSettingsDto)
  functions?: FunctionSettingsDto;

  @ApiPropertyOptional({ example: 'UDFs of the finance team', maxLength: 1024 })
  @Optional()
  @IsString()
  @MaxLength(1024)
  comment?: string;
}

/** Name and provider are fixed for a connection's life; everything else may change. */
export class UpdateConnectionRequest {
  @ApiPropertyOptional({ example: 'cn-north-1', description: 'Changing it resets validation to pending.' })
  @Optional()
  @IsString()
  @MaxLength(64)
  region?: string;

  @ApiPropertyOptional({ type: ConnectionAuthDto, description: 'Replaces the auth method as a whole; resets validation to pending.' })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConnectionAuthDto)
  auth?: ConnectionAuthDto;

  @ApiPropertyOptional({ type: FunctionSettingsDto, description: 'Replaces the function settings as a whole.' })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => FunctionSettingsDto)
  functions?: FunctionSettingsDto;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1024 })
  @Optional()
  @IsString()
  @MaxLength(1024)
  comment?: string;
}

export class CreateConnectionQuery {
  @ApiPropertyOptional({ description: 'Answer 200 with the existing connection instead of 409 when the name is taken.' })
  @Optional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  ifNotExists?: 'true' | 'false';
}

export class RotateExternalIdQuery {
  @ApiPropertyOptional({ enum: ['overlap', 'immediate'], default: 'overlap', description: 'overlap: accept a next id beside the current one until validation promotes it; immediate: replace it now.' })
  @Optional()
  @IsIn(['overlap', 'immediate'], { message: 'must be overlap or immediate' })
  mode?: 'overlap' | 'immediate';
}
