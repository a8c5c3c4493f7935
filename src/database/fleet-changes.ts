import { FleetChannel, FleetTopic } from './fleet-channel';

type Listener = (id: string) => void;

/**
 * Changes of one kind (connections edited, secrets rotated): heard at once by the parts of this
 * process that hold something derived from them, and through the fleet channel by the other
 * replicas, which hear them the same way. Announce a change after it commits, so a replica that
 * reads again finds it.
 */
export abstract class FleetChanges {
  private readonly listeners = new Set<Listener>();

  protected constructor(
    private readonly fleet: FleetChannel,
    private readonly topic: FleetTopic,
  ) {
    fleet.subscribe(topic, (id) => this.notify(id));
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(id: string): void {
    this.notify(id);
    this.fleet.publish(this.topic, id);
  }

  private notify(id: string): void {
    for (const listener of this.listeners) listener(id);
  }
}
