import { countPorts } from '@fleetqry/contracts';

import { CoverageCollector } from './coverage.js';
import type { ScanEvent } from './scanner.js';

/**
 * Compacts a scan's event stream where it is produced (in each scan thread): plain closed ports leave the
 * stream and come back, per host, as one `coverage` event just before the host's `host-done`. A mostly
 * closed /16 then crosses threads as 65 536 coverage records instead of a million observations.
 */
export async function* compactEvents(batches: AsyncIterable<ScanEvent[]>): AsyncGenerator<ScanEvent[]> {
  const collector = new CoverageCollector();
  for await (const batch of batches) {
    const out: ScanEvent[] = [];
    for (const e of batch) {
      if (e.type === 'observation') {
        if (!collector.add(e.observation)) out.push(e);
        continue;
      }
      if (e.type === 'host-done') {
        const coverage = collector.hostDone(e.target.address);
        if (coverage.length > 0)
          out.push({
            type: 'coverage',
            coverage,
            closed: coverage.reduce((n, c) => n + countPorts(c.closed), 0),
          });
      }
      out.push(e);
    }
    if (out.length > 0) yield out;
  }
}
