import type { Observation } from '@fleetqry/contracts';
import { probeTargets, runScan, type ScanPlan } from '@fleetqry/probe';

import type { Progress } from '../output/progress.js';
import type { ResultSink, RunSummary } from '../output/sink.js';

export interface ExecuteOptions {
  progress: Progress;
  workers?: number;
  signal?: AbortSignal;
  /** Observations not passed to the sink (e.g. --states filter); they still count. */
  keep?: (obs: Observation) => boolean;
}

/** The probe stage of a plan, feeding one sink; returns the summary (failures make it incomplete). */
export async function executePlan(
  plan: ScanPlan,
  sink: ResultSink,
  opts: ExecuteOptions,
): Promise<RunSummary> {
  const started = performance.now();
  const summary: RunSummary = { hosts: 0, observations: 0, byState: {}, failures: 0, durationMs: 0 };
  const targets = probeTargets(plan.targets(), (f) => {
    summary.failures++;
    opts.progress.tick(plan.probesPerHost);
    sink.failure({ given: f.given, host: f.host, error: f.error.message });
  });
  const events = runScan(targets, plan.config, {
    workers: opts.workers,
    expectedProbes: plan.hostCount * plan.probesPerHost,
    signal: opts.signal,
  });
  for await (const batch of events) {
    let probes = 0;
    for (const e of batch) {
      switch (e.type) {
        case 'observation':
          probes++;
          summary.observations++;
          summary.byState[e.observation.state] = (summary.byState[e.observation.state] ?? 0) + 1;
          if (!opts.keep || opts.keep(e.observation)) sink.observation(e.observation);
          break;
        case 'host-done':
          summary.hosts++;
          sink.hostDone(e.target);
          break;
        case 'host-refused':
          summary.failures++;
          probes += plan.probesPerHost;
          sink.failure({
            given: e.target.host,
            host: e.target.host,
            address: e.target.address,
            error: `refused: ${e.reason}`,
          });
          break;
        case 'probe-error':
          summary.failures++;
          probes++;
          sink.failure({
            given: e.target.host,
            host: e.target.host,
            address: e.target.address,
            error: `${e.proto}/${e.port}: ${e.error}`,
          });
          break;
      }
    }
    opts.progress.tick(probes);
  }
  summary.durationMs = performance.now() - started;
  return summary;
}
