import { Injectable } from '@nestjs/common';

type Listener = (secretId: string) => void;

/**
 * Tells this process that a secret's value was rotated, so what was derived from the old value
 * (cached connection stamps, and through them minted credentials) is dropped at once.
 */
@Injectable()
export class SecretChanges {
  private readonly listeners = new Set<Listener>();

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(secretId: string): void {
    for (const listener of this.listeners) listener(secretId);
  }
}
