import { DataSource, Not } from 'typeorm';
import { Keyring, SealError } from './keyring';
import { SecretEntity } from './secret.entity';
import { secretAssociatedData } from './secrets.service';

/**
 * Re-seals every secret not yet under the keyring's first key, one row per transaction with a
 * row lock, so it can run beside a live service. A row that does not open (tampered, or sealed
 * under a key no longer configured) is left as it is and reported, never half-written.
 */
export async function resealSecrets(dataSource: DataSource, keyring: Keyring): Promise<{ resealed: number; unopenable: string[] }> {
  const stale = await dataSource.getRepository(SecretEntity).find({ select: { id: true }, where: { keyId: Not(keyring.currentKeyId) } });
  let resealed = 0;
  const unopenable: string[] = [];
  for (const { id } of stale) {
    await dataSource.transaction(async (manager) => {
      const row = await manager.getRepository(SecretEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.keyId === keyring.currentKeyId) return;
      const associatedData = secretAssociatedData(row.workspaceId, row.id);
      let plaintext: Buffer;
      try {
        plaintext = keyring.open(row, associatedData);
      } catch (error) {
        if (!(error instanceof SealError)) throw error;
        unopenable.push(id);
        return;
      }
      const sealed = keyring.seal(plaintext, associatedData);
      await manager.getRepository(SecretEntity).update({ id }, { keyId: sealed.keyId, sealed: sealed.sealed });
      resealed += 1;
    });
  }
  return { resealed, unopenable };
}
