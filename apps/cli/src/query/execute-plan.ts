import type { Observation } from '@fleetqry/contracts';
import { probeStage, type ScanPlan } from '@fleetqry/probe';

import type { Progress } from '../output/progress.js';
import type { ResultSink, RunSummary } from '../output/sink.js';

export interface ExecuteOptions {
  progress: Progress;
  workers?: number;
  signal?: AbortSignal;
  /** Observations not passed to the sink (e.g. --states filter); they still count. */
  keep?: (obs: Observation) => boolean;
}

/** Fleet mode: the probe stage of a plan, feeding one output sink. */
export async function executePlan(
  plan: ScanPlan,
  sink: ResultSink,
  opts: ExecuteOptions,
): Promise<RunSummary> {
  const summary = await probeStage(
    plan,
    {
      onObservations: (observations, probes) => {
        for (const o of observations) if (!opts.keep || opts.keep(o)) sink.observation(o);
        opts.progress.tick(probes);
      },
      onHostDone: (target) => sink.hostDone(target),
      onFailure: (f) => sink.failure(f),
      onSkipped: (probes) => opts.progress.tick(probes),
    },
    { workers: opts.workers, signal: opts.signal },
  );
  return {
    hosts: summary.hosts,
    observations: summary.observations,
    byState: summary.byState,
    failures: summary.failures.length,
    durationMs: summary.durationMs,
    network: summary.network,
  };
}
