import {
  addNetworkQuality,
  NO_NETWORK_EVIDENCE,
  type HostCoverage,
  type NetworkQuality,
  type Observation,
} from '@fleetqry/contracts';

import type { ProbeTarget } from '../engine/port-probe.js';
import { runScan } from '../engine/scan-pool.js';
import { probeTargets, targetProbes, type ScanPlan } from './plan-scan.js';

/** A target that produced no observations, and why (unresolvable name, refused, local error). */
export interface TargetFailure {
  given: string;
  host: string;
  address?: string;
  error: string;
}

export interface ProbeSummary {
  hosts: number;
  observations: number;
  byState: Record<string, number>;
  failures: TargetFailure[];
  durationMs: number;
  /** Retransmissions and undecided ports, summed over the scan's threads. */
  network: NetworkQuality;
}

export interface ProbeHandlers {
  /** Observations as they come, with the number of probes they account for; awaited (back-pressure). */
  onObservations(observations: Observation[], probes: number): void | Promise<void>;
  /** Compacted runs only: hosts' plain closed ports as coverage, with the probes they stand for; awaited. */
  onCoverage?(coverage: HostCoverage[], probes: number): void | Promise<void>;
  onHostDone?(target: ProbeTarget): void;
  onFailure?(failure: TargetFailure): void;
  /** Probes that produced no observation (failed targets), for progress. */
  onSkipped?(probes: number): void;
}

/**
 * The probe stage: runs a plan's targets through the scanner (threads for big scans) and hands
 * observations on in batches. Failures are collected, never thrown: one bad target does not stop a
 * sweep. The embedded sweep, `fleetqry query` and the workers all probe through here.
 */
export async function probeStage(
  plan: ScanPlan,
  handlers: ProbeHandlers,
  /**
   * `compact`: plain closed ports reach `onCoverage` as ranges (see runScan), not `onObservations`;
   * `ownThread`: keep a big scan off the main thread (see runScan).
   */
  opts: { workers?: number; signal?: AbortSignal; compact?: boolean; ownThread?: boolean } = {},
): Promise<ProbeSummary> {
  const started = performance.now();
  const summary: ProbeSummary = {
    hosts: 0,
    observations: 0,
    byState: {},
    failures: [],
    durationMs: 0,
    network: NO_NETWORK_EVIDENCE,
  };
  const fail = (f: TargetFailure, probes: number) => {
    summary.failures.push(f);
    handlers.onFailure?.(f);
    handlers.onSkipped?.(probes);
  };
  const targets = probeTargets(plan.targets(), (f) =>
    fail({ given: f.given, host: f.host, error: f.error.message }, plan.probesPerHost),
  );
  const events = runScan(targets, plan.config, {
    workers: opts.workers,
    expectedProbes: plan.totalProbes,
    signal: opts.signal,
    compact: opts.compact === true,
    ownThread: opts.ownThread === true,
  });
  for await (const batch of events) {
    let observations: Observation[] = [];
    // A host's observations reach the handler before its host-done, as the scanner emitted them.
    const flush = async () => {
      if (observations.length === 0) return;
      const out = observations;
      observations = [];
      summary.observations += out.length;
      await handlers.onObservations(out, out.length);
    };
    for (const e of batch) {
      switch (e.type) {
        case 'observation':
          observations.push(e.observation);
          summary.byState[e.observation.state] = (summary.byState[e.observation.state] ?? 0) + 1;
          break;
        case 'coverage':
          if (!handlers.onCoverage) throw new Error('a compacted probe stage needs onCoverage');
          await flush();
          summary.byState['NOT LISTENING'] = (summary.byState['NOT LISTENING'] ?? 0) + e.closed;
          await handlers.onCoverage(e.coverage, e.closed);
          break;
        case 'host-done':
          summary.hosts++;
          if (handlers.onHostDone) {
            await flush();
            handlers.onHostDone(e.target);
          }
          break;
        case 'host-refused':
          fail(
            {
              given: e.target.host,
              host: e.target.host,
              address: e.target.address,
              error: `refused: ${e.reason}`,
            },
            targetProbes(plan.ports, e.target.exclude),
          );
          break;
        case 'network':
          summary.network = addNetworkQuality(summary.network, e.network);
          break;
        case 'probe-error':
          fail(
            {
              given: e.target.host,
              host: e.target.host,
              address: e.target.address,
              error: `${e.proto}/${e.port}: ${e.error}`,
            },
            1,
          );
          break;
      }
    }
    await flush();
  }
  summary.durationMs = performance.now() - started;
  return summary;
}
