import type { Observation } from '@fleetqry/contracts';

import type { ResultSink, RunSummary, TargetFailure, Write } from './sink.js';

/** One JSON document at the end: `{ summary, observations, failures }`. Holds everything in memory. */
export class JsonSink implements ResultSink {
  private readonly observations: Observation[] = [];
  private readonly failures: TargetFailure[] = [];

  constructor(private readonly write: Write) {}

  observation(obs: Observation): void {
    this.observations.push(obs);
  }

  hostDone(): void {}

  failure(f: TargetFailure): void {
    this.failures.push(f);
  }

  end(summary: RunSummary): void {
    this.write(
      `${JSON.stringify({ summary, observations: this.observations, failures: this.failures }, null, 2)}\n`,
    );
  }
}
