import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, Max, Min } from 'class-validator';
import { Optional } from '../../common/http/optional';

export class IssueCredentialsRequest {
  @ApiPropertyOptional({ minimum: 900, maximum: 43200, example: 900, description: 'Requested lifetime; rounded down to a duration class (900, 1800, 3600, 7200, 14400, 43200). Capped at 3600 when the platform principal is a role (role chaining).' })
  @Optional()
  @IsInt()
  @Min(900)
  @Max(43200)
  durationSeconds?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'A policy document in the cloud\'s own language that narrows what the credentials may do (an inline session policy).' })
  @Optional()
  @IsObject()
  sessionPolicy?: Record<string, unknown>;
}

export class CredentialsResponse {
  @ApiProperty({ enum: ['aws', 'aliyun', 'tencent'] })
  provider!: string;

  @ApiProperty()
  region!: string;

  @ApiProperty()
  accessKeyId!: string;

  @ApiProperty({ description: 'Alibaba Cloud AccessKeySecret, Tencent Cloud TmpSecretKey.' })
  secretAccessKey!: string;

  @ApiProperty({ description: 'Alibaba Cloud SecurityToken, Tencent Cloud Token.' })
  sessionToken!: string;

  @ApiProperty({ format: 'date-time' })
  expiration!: string;

  @ApiProperty({ description: 'Served from the broker\'s cache (this process or the fleet\'s shared table) rather than a new STS call.' })
  cached!: boolean;

  @ApiProperty({ example: 3600, description: 'The lifetime these credentials were issued for: the requested one rounded down to its duration class, and capped where a limit applies (durationCappedReason).' })
  durationSeconds!: number;

  @ApiPropertyOptional({
    example: 'role-chaining: the platform principal is itself a role, so Tether assumes the customer\'s role from a role session, and AWS limits such chained sessions to 3600 seconds.',
    description: 'Present when durationSeconds is below the requested duration class because of a hard limit; starts with a stable reason code (`role-chaining`), followed by an explanation.',
  })
  durationCappedReason?: string;

  @ApiPropertyOptional({ type: [String], description: 'Why the credentials differ from what was asked (a rounded duration), or a failed refresh that is being retried.' })
  notes?: string[];
}

/** The AWS container-credentials format (AWS_CONTAINER_CREDENTIALS_FULL_URI). */
export class ContainerCredentialsResponse {
  @ApiProperty()
  AccessKeyId!: string;

  @ApiProperty()
  SecretAccessKey!: string;

  @ApiProperty()
  Token!: string;

  @ApiProperty({ format: 'date-time' })
  Expiration!: string;

  @ApiPropertyOptional()
  AccountId?: string;
}
