import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CLOUD_PROVIDERS, CloudProvider } from '../../cloud-identifiers';
import { PageQuery } from '../../common/http/pagination';
import type { AuthType, FunctionCapability, ValidationStatus } from '../connection.entity';
import { AUTH_TYPES, CAPABILITIES } from './connection-request.dto';

export const VALIDATION_STATUSES: readonly ValidationStatus[] = ['pending', 'valid', 'invalid', 'insecure'];

export class SecretNameRef {
  @ApiProperty({ description: 'The name of the secret holding the value (never the value).' }) secret!: string;
}

export class ConnectionAuthResponse {
  @ApiProperty({ enum: AUTH_TYPES }) type!: AuthType;
  @ApiPropertyOptional() roleArn?: string;
  @ApiPropertyOptional() sessionName?: string;
  @ApiPropertyOptional({ description: 'The External ID the role\'s trust policy must require.' }) externalId?: string;
  @ApiPropertyOptional({ description: 'During an overlapping rotation: the next External ID, accepted beside the current one until a validation promotes it.' }) nextExternalId?: string;
  @ApiPropertyOptional({ description: 'The platform principal the customer trusts, as it stands in the trust policy.' }) principal?: string;
  @ApiPropertyOptional() accessKeyId?: string;
  @ApiPropertyOptional({ type: SecretNameRef }) secretAccessKey?: SecretNameRef;
  @ApiPropertyOptional({ type: SecretNameRef }) sessionToken?: SecretNameRef;
}

export class FunctionSettingsResponse {
  @ApiPropertyOptional() namespace?: string;
  @ApiPropertyOptional() codeBucket?: string;
  @ApiProperty({ enum: CAPABILITIES, isArray: true }) capabilities!: FunctionCapability[];
  @ApiPropertyOptional() executionRoleArn?: string;
  @ApiProperty({ type: [String] }) egress!: string[];
}

export class ValidationCheckResponse {
  @ApiProperty({ example: 'assume_role_with_external_id' }) name!: string;
  @ApiProperty({ enum: ['ok', 'failed', 'skipped'] }) status!: 'ok' | 'failed' | 'skipped';
  @ApiProperty({ description: 'A sentence a console can show as it is.' }) detail!: string;
}

export class ValidationResponse {
  @ApiProperty({ enum: VALIDATION_STATUSES }) status!: ValidationStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) checkedAt!: string | null;
  @ApiProperty({ type: [ValidationCheckResponse] }) checks!: ValidationCheckResponse[];
}

export class ConnectionResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CLOUD_PROVIDERS }) provider!: CloudProvider;
  @ApiProperty() region!: string;
  @ApiProperty({ type: ConnectionAuthResponse }) auth!: ConnectionAuthResponse;
  @ApiProperty({ type: FunctionSettingsResponse }) functions!: FunctionSettingsResponse;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty({ type: ValidationResponse }) validation!: ValidationResponse;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ConnectionPage {
  @ApiProperty({ type: [ConnectionResponse] }) items!: ConnectionResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ConnectionListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CLOUD_PROVIDERS })
  @IsOptional()
  @IsIn(CLOUD_PROVIDERS, { message: `must be one of ${CLOUD_PROVIDERS.join(', ')}` })
  provider?: CloudProvider;

  @ApiPropertyOptional({ enum: VALIDATION_STATUSES, description: 'Filter by validation status.' })
  @IsOptional()
  @IsIn(VALIDATION_STATUSES, { message: `must be one of ${VALIDATION_STATUSES.join(', ')}` })
  status?: ValidationStatus;
}
