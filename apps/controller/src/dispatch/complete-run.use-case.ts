import { Inject, Injectable, Logger } from '@nestjs/common';
import { builtinPolicy, parsePolicyYaml, WaiverSchema, type Policy, type Waiver } from '@fleetqry/policy';
import { activeWaivers, finishRun, getPolicy, getRun, type Waiver as StoredWaiver } from '@fleetqry/store';
import { evaluateStage } from '@fleetqry/sweep';

import { observeRunFinished } from '../observability/metrics.js';
import { StoreService } from '../store/store.service.js';
import type { DistributedRunPlan } from './chunk-enqueuer.js';
import { DispatchQueues } from './dispatch-queues.js';
import { FailRunUseCase } from './fail-run.use-case.js';

/**
 * Evaluate and finish a run whose chunks are all in: the same evaluateStage as the embedded sweep
 * (policy over the stored observations, lifecycle against the previous run, findings replaced in one
 * transaction, so running it twice after a crash is harmless), then finishRun (first outcome wins).
 */
@Injectable()
export class CompleteRunUseCase {
  private readonly logger = new Logger(CompleteRunUseCase.name);

  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(DispatchQueues) private readonly queues: DispatchQueues,
    @Inject(FailRunUseCase) private readonly fail: FailRunUseCase,
  ) {}

  async execute(runId: string): Promise<void> {
    const prisma = this.store.prisma;
    const run = await getRun(prisma, runId);
    if (!run || run.status !== 'running') return;
    try {
      // Everything evaluation needs was frozen at run start: the policy (name, version) and the hosts' tags.
      const frozen = run.plan as unknown as Partial<DistributedRunPlan> | null;
      if (!run.policyName || !frozen?.policyHosts) throw new Error('the run has no frozen plan');
      const now = new Date();
      const policy = await this.policy(run.policyName, run.policyVersion ?? undefined);
      const waivers = (await activeWaivers(prisma, now)).flatMap(toPolicyWaiver);
      const evaluated = await evaluateStage(this.store.store, run, {
        policy,
        hosts: frozen.policyHosts,
        waivers,
        now,
        hostViews: true,
      });
      const finished = await finishRun(prisma, run.id, { status: 'succeeded' });
      this.logger.log(`run ${run.number} (${run.id}) succeeded: ${evaluated.findings} findings`);
      if (!finished) return;
      observeRunFinished(run, 'succeeded');
      await this.queues.publishRunEvent(run.id, 'completed');
    } catch (error) {
      this.logger.error(`run ${run.id}: evaluation failed: ${(error as Error).message}`);
      await this.fail.execute(run, `evaluation failed: ${(error as Error).message}`);
    }
  }

  private async policy(name: string, version?: number): Promise<Policy> {
    const builtin = builtinPolicy(name);
    if (builtin) return builtin;
    const stored = await getPolicy(this.store.prisma, name, version);
    if (!stored) throw new Error(`policy ${name}${version ? ` v${version}` : ''} does not exist`);
    return parsePolicyYaml(stored.yaml, `policy ${name} v${stored.version}`);
  }
}

/** A stored waiver as libs/policy's waiver; patterns the policy cannot express (name globs) do not apply. */
function toPolicyWaiver(w: StoredWaiver): Waiver[] {
  if (!w.rule) return [];
  const pattern = w.hostPattern ?? undefined;
  const parsed = WaiverSchema.safeParse({
    id: w.id,
    rule: w.rule,
    ...(w.findingKey ? { key: w.findingKey } : {}),
    ...(pattern && pattern.includes('/')
      ? { cidr: pattern }
      : pattern && !pattern.includes('*')
        ? { address: pattern }
        : {}),
    owner: w.owner,
    reason: w.reason,
    expiresAt: w.expiresAt.toISOString(),
  });
  return parsed.success ? [parsed.data] : [];
}
