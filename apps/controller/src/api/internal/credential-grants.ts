import { Injectable } from '@nestjs/common';
import type { CredentialRequestQuery } from '@fleetqry/contracts';
import { getRun, getRunChunk } from '@fleetqry/store';

import type { DistributedRunPlan } from '../../dispatch/chunk-enqueuer.js';
import { StoreService } from '../../store/store.service.js';

/**
 * Whether a worker may read a credential for the chunk it names: only while the run is running, the chunk
 * is open (not done), and the run's frozen plan lists the credential. A stolen worker token or a forged job
 * therefore reaches no secret outside the work the controller planned.
 */
@Injectable()
export class CredentialGrants {
  constructor(private readonly stores: StoreService) {}

  /** The reason to refuse, or undefined to serve. */
  async refusal(credentialId: string, chunk: CredentialRequestQuery): Promise<string | undefined> {
    const prisma = this.stores.prisma;
    const run = await getRun(prisma, chunk.run);
    if (!run) return 'no such run';
    if (run.status !== 'running') return `the run is ${run.status}`;
    const row = await getRunChunk(prisma, chunk.run, chunk.chunk);
    if (!row) return 'no such chunk in the run';
    if (row.doneAt) return 'the chunk is done';
    const listed = (run.plan as unknown as DistributedRunPlan | null)?.job?.communityCredentialIds ?? [];
    if (!listed.includes(credentialId)) return "the run's plan does not list this credential";
    return undefined;
  }
}
