import { DataSource } from 'typeorm';
import { Keyring } from '../secrets/keyring';
import { ResealOutcome, resealRows } from '../secrets/reseal';
import { deploymentAssociatedData } from './deployments.service';
import { FunctionDeploymentEntity } from './function-deployment.entity';

/** Re-seals deployed functions' environments; a row that does not open is reported, and its next deploy writes it afresh. */
export function resealDeployments(dataSource: DataSource, keyring: Keyring): Promise<ResealOutcome> {
  return resealRows(dataSource, keyring, FunctionDeploymentEntity, (row) => deploymentAssociatedData(row.workspaceId, row.id));
}
