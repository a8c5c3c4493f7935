import { DataSource, Not } from 'typeorm';
import { Keyring } from './keyring';
import { SecretEntity } from './secret.entity';
import { secretAssociatedData } from './secrets.service';

/**
 * Re-seals every secret not yet under the keyring's first key, one row per transaction with a
 * row lock, so it can run beside a live service. Returns how many rows changed.
 */
export async function resealSecrets(dataSource: DataSource, keyring: Keyring): Promise<number> {
  const stale = await dataSource.getRepository(SecretEntity).find({ select: { id: true }, where: { keyId: Not(keyring.currentKeyId) } });
  let count = 0;
  for (const { id } of stale) {
    await dataSource.transaction(async (manager) => {
      const row = await manager.getRepository(SecretEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.keyId === keyring.currentKeyId) return;
      const associatedData = secretAssociatedData(row.workspaceId, row.id);
      const resealed = keyring.seal(keyring.open(row, associatedData), associatedData);
      await manager.getRepository(SecretEntity).update({ id }, { keyId: resealed.keyId, sealed: resealed.sealed });
      count += 1;
    });
  }
  return count;
}
