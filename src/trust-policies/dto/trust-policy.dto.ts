import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { CLOUD_PROVIDERS, CloudProvider } from '../../cloud-identifiers';

export class TrustPolicyResponse {
  @ApiProperty({ enum: CLOUD_PROVIDERS }) provider!: CloudProvider;
  @ApiProperty({ description: 'The platform principal the role trusts, as it stands in the trust policy.' }) principal!: string;
  @ApiProperty({ description: 'The External ID the trust policy requires.' }) externalId!: string;
  @ApiPropertyOptional({ description: 'During an overlapping rotation: the next External ID, which the rendered trust policy accepts too.' }) nextExternalId?: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The trust policy in the cloud\'s own language (AWS IAM, Alibaba RAM, Tencent CAM).' })
  trustPolicy!: object;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The least-privilege permission policy for what the connection is for.' })
  permissionPolicy!: object;
  @ApiProperty({ type: [String], description: 'How to install both, with CLI commands.' }) steps!: string[];
  @ApiProperty({ type: [String], description: 'What the permission policy had to leave out for lack of input.' }) warnings!: string[];
}

export class OnboardingQuery {
  @ApiProperty({ enum: ['cloudformation', 'terraform'] })
  @IsIn(['cloudformation', 'terraform'], { message: 'must be cloudformation or terraform' })
  format!: 'cloudformation' | 'terraform';
}

export class RevokeDenyPolicyResponse {
  @ApiProperty({ description: 'Whether the cloud\'s policy language can deny sessions issued before a time.' }) supported!: boolean;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The policy to attach to the role (AWS: Deny when aws:TokenIssueTime is before the revocation).' })
  policy?: object;
  @ApiProperty({ description: 'What to do with the policy, or what to do instead where the cloud has no such condition.' }) statement!: string;
}

export class RevokeResponse {
  @ApiProperty({ format: 'date-time' }) revokedAt!: string;
  @ApiProperty({ description: 'The new External ID; the trust policy must be updated to it.' }) externalId!: string;
  @ApiProperty({ type: RevokeDenyPolicyResponse }) denyPolicy!: RevokeDenyPolicyResponse;
}
