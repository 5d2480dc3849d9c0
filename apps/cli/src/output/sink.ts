import type { NetworkQuality, Observation } from '@fleetqry/contracts';
import type { ProbeTarget, TargetFailure } from '@fleetqry/probe';

export type { TargetFailure };

export interface RunSummary {
  hosts: number;
  observations: number;
  byState: Record<string, number>;
  failures: number;
  durationMs: number;
  network: NetworkQuality;
}

/** Where fleet-mode results go, in one of the output formats. */
export interface ResultSink {
  observation(obs: Observation): void;
  hostDone(target: ProbeTarget): void;
  failure(f: TargetFailure): void;
  end(summary: RunSummary): void;
}

export type Write = (text: string) => void;
