import { DataSource, Not } from 'typeorm';
import { Keyring, SealError } from '../secrets/keyring';
import { deploymentAssociatedData } from './deployments.service';
import { FunctionDeploymentEntity } from './function-deployment.entity';

/**
 * Re-seals every function deployment's sealed environment not yet under the keyring's first key,
 * one row per transaction with a row lock, as `resealSecrets` does for secrets. A row that does not
 * open is left as it is and reported; its next deploy writes it afresh.
 */
export async function resealDeployments(dataSource: DataSource, keyring: Keyring): Promise<{ resealed: number; unopenable: string[] }> {
  const stale = await dataSource.getRepository(FunctionDeploymentEntity).find({ select: { id: true }, where: { keyId: Not(keyring.currentKeyId) } });
  let resealed = 0;
  const unopenable: string[] = [];
  for (const { id } of stale) {
    await dataSource.transaction(async (manager) => {
      const row = await manager.getRepository(FunctionDeploymentEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.keyId === keyring.currentKeyId) return;
      const associatedData = deploymentAssociatedData(row.workspaceId, row.id);
      let plaintext: Buffer;
      try {
        plaintext = keyring.open(row, associatedData);
      } catch (error) {
        if (!(error instanceof SealError)) throw error;
        unopenable.push(id);
        return;
      }
      const sealed = keyring.seal(plaintext, associatedData);
      await manager.getRepository(FunctionDeploymentEntity).update({ id }, { keyId: sealed.keyId, sealed: sealed.sealed });
      resealed += 1;
    });
  }
  return { resealed, unopenable };
}
