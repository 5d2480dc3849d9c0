import type { Observation } from '@fleetqry/contracts';

import type { ResultSink, RunSummary, TargetFailure, Write } from './sink.js';

/** Lines gathered before a write even within one batch; bounds the buffer on huge batches. */
const FLUSH_CHARS = 1 << 20;

/**
 * One observation per line, streamed as probes finish; failures are lines with an `error` key.
 * Lines are gathered and written once per batch of results (a microtask after the last line of
 * the batch), not once per line: a sweep yields tens of thousands of lines, and a write per line was
 * a syscall per probe on the main thread.
 */
export class JsonlSink implements ResultSink {
  private buffer = '';
  private flushQueued = false;

  constructor(private readonly write: Write) {}

  observation(obs: Observation): void {
    this.line(JSON.stringify(obs));
  }

  hostDone(): void {}

  failure(f: TargetFailure): void {
    this.line(JSON.stringify({ host: f.host, given: f.given, address: f.address, error: f.error }));
  }

  end(_summary: RunSummary): void {
    this.flush();
  }

  private line(text: string): void {
    this.buffer += `${text}\n`;
    if (this.buffer.length >= FLUSH_CHARS) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    if (!this.buffer) return;
    const text = this.buffer;
    this.buffer = '';
    this.write(text);
  };
}
