import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsString, IsUUID, Matches } from 'class-validator';
import { PageQuery } from '../../common/http/pagination';
import { Optional } from '../../common/http/optional';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'connection.create', description: 'Exact action, or a prefix ending in * (connection.*).' })
  @Optional()
  @IsString()
  @Matches(/^[a-z_.-]{1,64}\*?$/, { message: 'must be an action such as connection.create, or a prefix such as connection.*' })
  action?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Events about this connection id.' })
  @Optional()
  @IsUUID('all', { message: 'must be a connection id (a uuid)' })
  connection?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Events of this API token id.' })
  @Optional()
  @IsUUID('all', { message: 'must be a token id (a uuid)' })
  actor?: string;

  @ApiPropertyOptional({ enum: ['success', 'failure'] })
  @Optional()
  @IsIn(['success', 'failure'], { message: 'must be success or failure' })
  outcome?: 'success' | 'failure';

  @ApiPropertyOptional({ format: 'date-time', description: 'Events at or after this time.' })
  @Optional()
  @IsDateString({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events before this time.' })
  @Optional()
  @IsDateString({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  to?: string;
}

export class AuditActor {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) tokenId!: string | null;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
}

export class AuditTargetRef {
  @ApiProperty() type!: string;
  @ApiProperty({ type: String, nullable: true }) id!: string | null;
}

export class AuditEventResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: AuditActor }) actor!: AuditActor;
  @ApiProperty({ example: 'connection.create' }) action!: string;
  @ApiProperty({ type: AuditTargetRef }) target!: AuditTargetRef;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) connectionId!: string | null;
  @ApiProperty({ enum: ['success', 'failure'] }) outcome!: 'success' | 'failure';
  @ApiProperty({ type: 'object', additionalProperties: true }) detail!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) requestId!: string | null;
}

export class AuditEventPage {
  @ApiProperty({ type: [AuditEventResponse] }) items!: AuditEventResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class AuditMismatch {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() action!: string;
  @ApiProperty() reason!: string;
}

export class AuditVerificationResponse {
  @ApiProperty({ description: 'True when every event matches its hash and follows the one before it.' }) ok!: boolean;
  @ApiProperty({ description: 'Events checked before the first mismatch (or all of them).' }) checked!: number;
  @ApiProperty({ type: AuditMismatch, nullable: true }) firstMismatch!: AuditMismatch | null;
}
