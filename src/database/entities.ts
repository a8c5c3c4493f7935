import { AuditEventEntity } from '../audit/audit-event.entity';
import { ApiTokenEntity } from '../auth/api-token.entity';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { ConnectionEntity } from '../connections/connection.entity';
import { FunctionDeploymentEntity } from '../functions/function-deployment.entity';
import { SecretEntity } from '../secrets/secret.entity';

/** Every entity, listed rather than globbed. */
export const ENTITIES = [WorkspaceEntity, ApiTokenEntity, SecretEntity, AuditEventEntity, ConnectionEntity, FunctionDeploymentEntity];
