import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsDateString, IsIn, IsString, Matches } from 'class-validator';
import { IDENTIFIER_MESSAGE, IDENTIFIER_PATTERN } from '../../common/http/identifier';
import { TOKEN_ROLES, TokenRole } from '../token-role';
import { Optional } from '../../common/http/optional';

export class CreateTokenRequest {
  @ApiProperty({ example: 'query-engine', pattern: IDENTIFIER_PATTERN.source })
  @IsString()
  @Matches(IDENTIFIER_PATTERN, { message: IDENTIFIER_MESSAGE })
  name!: string;

  @ApiProperty({ enum: TOKEN_ROLES, description: 'admin: everything; editor: connections and secrets; viewer: read only; service: credentials and invocation.' })
  @IsIn(TOKEN_ROLES, { message: `must be one of ${TOKEN_ROLES.join(', ')}` })
  role!: TokenRole;

  @ApiPropertyOptional({ type: [String], description: 'Service tokens only: the connections (names or ids) it may use. Omit for all.', maxItems: 1000 })
  @Optional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { each: true, message: 'each entry must be a connection name or id' })
  connections?: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'When the token stops working; omit for no expiry.' })
  @Optional()
  @IsDateString({ strict: true }, { message: 'must be an ISO 8601 date-time such as 2030-01-01T00:00:00Z' })
  expiresAt?: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'Provenance: credentials issued to this token carry its name, its workspace and the connection in the cloud session (RoleSessionName on every cloud; AWS session tags tether:workspace, tether:connection, tether:token, tether:token-id where the trust policy allows sts:TagSession), so the customer\'s CloudTrail / ActionTrail / CloudAudit shows which consumer acted. Such credentials are cached per token instead of shared with other callers.',
  })
  @Optional()
  @IsBoolean({ message: 'must be true or false' })
  provenance?: boolean;
}

export class TokenResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: TOKEN_ROLES }) role!: TokenRole;
  @ApiProperty({ type: [String], nullable: true }) connections!: string[] | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({ description: 'Whether credentials issued to this token name it in the cloud session.' }) provenance!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class CreatedTokenResponse extends TokenResponse {
  @ApiProperty({ description: 'The token. Shown once; only its hash is kept.' })
  token!: string;
}

export class TokenPage {
  @ApiProperty({ type: [TokenResponse] }) items!: TokenResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
