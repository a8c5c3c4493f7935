import { DataSource, EntityTarget, FindOptionsSelect, FindOptionsWhere, Not } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Keyring, SealError } from './keyring';
import { SecretEntity } from './secret.entity';
import { secretAssociatedData } from './secrets.service';

/** A row holding one sealed value: secrets, deployed functions' environments. */
export interface SealedRow {
  id: string;
  workspaceId: string;
  keyId: string;
  sealed: Buffer;
}

export interface ResealOutcome {
  resealed: number;
  unopenable: string[];
}

/**
 * Re-seals every row of `entity` not yet under the keyring's first key, one row per transaction
 * with a row lock, so it can run beside a live service. A row that does not open (tampered, or
 * sealed under a key no longer configured) is left as it is and reported, never half-written.
 */
export async function resealRows<T extends SealedRow>(dataSource: DataSource, keyring: Keyring, entity: EntityTarget<T>, associatedDataOf: (row: T) => string): Promise<ResealOutcome> {
  const stale = await dataSource.getRepository(entity).find({ select: { id: true } as FindOptionsSelect<T>, where: { keyId: Not(keyring.currentKeyId) } as FindOptionsWhere<T> });
  let resealed = 0;
  const unopenable: string[] = [];
  for (const { id } of stale) {
    await dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(entity);
      const row = await repository.findOne({ where: { id } as FindOptionsWhere<T>, lock: { mode: 'pessimistic_write' } });
      if (!row || row.keyId === keyring.currentKeyId) return;
      const associatedData = associatedDataOf(row);
      let plaintext: Buffer;
      try {
        plaintext = keyring.open(row, associatedData);
      } catch (error) {
        if (!(error instanceof SealError)) throw error;
        unopenable.push(id);
        return;
      }
      const sealed = keyring.seal(plaintext, associatedData);
      // T extends SealedRow, so both columns exist; TypeORM's generic partial types cannot see that.
      const columns: Pick<SealedRow, 'keyId' | 'sealed'> = { keyId: sealed.keyId, sealed: sealed.sealed };
      await repository.update({ id } as FindOptionsWhere<T>, columns as unknown as QueryDeepPartialEntity<T>);
      resealed += 1;
    });
  }
  return { resealed, unopenable };
}

/** Re-seals secrets (see {@link resealRows}). */
export function resealSecrets(dataSource: DataSource, keyring: Keyring): Promise<ResealOutcome> {
  return resealRows(dataSource, keyring, SecretEntity, (row) => secretAssociatedData(row.workspaceId, row.id));
}
