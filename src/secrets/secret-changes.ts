import { Inject, Injectable } from '@nestjs/common';
import { FleetChannel } from '../database/fleet-channel';
import { FleetChanges } from '../database/fleet-changes';

/**
 * A secret's value was rotated: what was derived from the old value (cached connection stamps, and
 * through them minted credentials) is dropped, here and on the other replicas.
 */
@Injectable()
export class SecretChanges extends FleetChanges {
  constructor(@Inject(FleetChannel) fleet: FleetChannel) {
    super(fleet, 'secret');
  }
}
