import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';

export interface ScanDefinitionChange {
  id: string;
  kind: 'created' | 'updated' | 'deleted';
}

/**
 * Tells the dispatch module that a definition (and so maybe its schedule) changed, so it re-upserts or
 * removes the BullMQ job scheduler at once instead of at the next start. Subscribe to `changes`.
 */
@Injectable()
export class ScanDefinitionEvents {
  readonly changes = new Subject<ScanDefinitionChange>();
}
