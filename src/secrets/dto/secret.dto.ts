import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { IDENTIFIER_MESSAGE, IDENTIFIER_PATTERN } from '../../common/http/identifier';

/** Large enough for any cloud key or token, small enough to keep rows small. */
export const SECRET_VALUE_MAX_LENGTH = 16384;

export class CreateSecretRequest {
  @ApiProperty({ example: 'aws_secret_key', pattern: IDENTIFIER_PATTERN.source })
  @IsString()
  @Matches(IDENTIFIER_PATTERN, { message: IDENTIFIER_MESSAGE })
  name!: string;

  @ApiProperty({ description: 'The secret value. Write-only: it is sealed and never returned.', maxLength: SECRET_VALUE_MAX_LENGTH, writeOnly: true })
  @IsString()
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(SECRET_VALUE_MAX_LENGTH)
  value!: string;
}

export class SecretValueRequest {
  @ApiProperty({ description: 'The new value; it becomes the next version.', maxLength: SECRET_VALUE_MAX_LENGTH, writeOnly: true })
  @IsString()
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(SECRET_VALUE_MAX_LENGTH)
  value!: string;
}

export class SecretResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Starts at 1; each PUT /secrets/:id/value adds one.' }) version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class SecretPage {
  @ApiProperty({ type: [SecretResponse] }) items!: SecretResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
