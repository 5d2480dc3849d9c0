import { parentPort, workerData } from 'node:worker_threads';

import { compactEvents } from './compact-events.js';
import type { ProbeTarget } from './port-probe.js';
import { loadScanOptions } from './scan-options.js';
import type { FromWorker, ToWorker, WorkerInit } from './scan-worker-protocol.js';
import { scan } from './scanner.js';

/** A worker thread: scans the hosts the pool hands it, streaming event batches back. */
const port = parentPort!;
const { config, compact } = workerData as WorkerInit;

const queue: ProbeTarget[] = [];
let ended = false;
let wake: (() => void) | undefined;

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'targets') queue.push(...msg.targets);
  else ended = true;
  wake?.();
  wake = undefined;
});

async function* targets(): AsyncGenerator<ProbeTarget> {
  for (;;) {
    if (queue.length) yield queue.shift()!;
    else if (ended) return;
    else await new Promise<void>((resolve) => (wake = resolve));
  }
}

const send = (msg: FromWorker) => port.postMessage(msg);
try {
  const events = scan(targets(), await loadScanOptions(config));
  for await (const batch of compact ? compactEvents(events) : events) send({ type: 'events', events: batch });
  send({ type: 'finished' });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  send({ type: 'failed', name: err.name, message: err.message });
}
port.close();
