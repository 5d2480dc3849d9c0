import type { Observation } from '@fleetqry/contracts';

import type { ResultSink, RunSummary, TargetFailure, Write } from './sink.js';

/** One observation per line, streamed as probes finish; failures are lines with an `error` key. */
export class JsonlSink implements ResultSink {
  constructor(private readonly write: Write) {}

  observation(obs: Observation): void {
    this.write(`${JSON.stringify(obs)}\n`);
  }

  hostDone(): void {}

  failure(f: TargetFailure): void {
    this.write(`${JSON.stringify({ host: f.host, given: f.given, address: f.address, error: f.error })}\n`);
  }

  end(_summary: RunSummary): void {}
}
