import { Inject, Injectable } from '@nestjs/common';
import { FleetChannel } from '../database/fleet-channel';
import { FleetChanges } from '../database/fleet-changes';

/**
 * A connection was edited, rotated, validated or deleted: the credential cache and the connection
 * snapshots drop what they hold for it, here and on the other replicas.
 */
@Injectable()
export class ConnectionChanges extends FleetChanges {
  constructor(@Inject(FleetChannel) fleet: FleetChannel) {
    super(fleet, 'connection');
  }
}
