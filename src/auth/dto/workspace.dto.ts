import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IDENTIFIER_MESSAGE, IDENTIFIER_PATTERN } from '../../common/http/identifier';

export class CreateWorkspaceRequest {
  @ApiProperty({ example: 'acme', pattern: IDENTIFIER_PATTERN.source })
  @IsString()
  @Matches(IDENTIFIER_PATTERN, { message: IDENTIFIER_MESSAGE })
  name!: string;
}

export class WorkspaceResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class CreatedWorkspaceResponse extends WorkspaceResponse {
  @ApiProperty({ description: 'The first admin token of the new workspace. Shown once.' })
  adminToken!: string;
}

export class WorkspacePage {
  @ApiProperty({ type: [WorkspaceResponse] }) items!: WorkspaceResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
