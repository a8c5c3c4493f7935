import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { Optional } from '../../common/http/optional';

export class CodePackageResponse {
  @ApiProperty({ example: 'udf/score.zip' }) key!: string;
  @ApiProperty({ description: 'Bytes stored.' }) size!: number;
  @ApiProperty({ description: 'Lower-case hex SHA-256 of the package, also kept as the object\'s tether-sha256 metadata.' }) sha256!: string;
}

export class CodeListQuery {
  @ApiPropertyOptional({ description: 'Only keys starting with this, e.g. udf/.', maxLength: 1024 })
  @Optional()
  @IsString()
  @MaxLength(1024)
  prefix?: string;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page\'s nextCursor.', maxLength: 2048 })
  @Optional()
  @IsString()
  @MaxLength(2048)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Objects per page.', minimum: 1, maximum: 1000, default: 100 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class CodeObjectResponse {
  @ApiProperty() key!: string;
  @ApiProperty() size!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastModified!: string | null;
}

export class CodeObjectPage {
  @ApiProperty({ type: [CodeObjectResponse] }) items!: CodeObjectResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page.' }) nextCursor!: string | null;
}
