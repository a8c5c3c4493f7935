import { Injectable } from '@nestjs/common';

type Listener = (connectionId: string) => void;

/**
 * Tells interested parts of this process (the credential cache) that a connection was edited,
 * rotated or deleted, so they drop what they hold for it. Other replicas learn it from the
 * database (see the credential broker).
 */
@Injectable()
export class ConnectionChanges {
  private readonly listeners = new Set<Listener>();

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(connectionId: string): void {
    for (const listener of this.listeners) listener(connectionId);
  }
}
