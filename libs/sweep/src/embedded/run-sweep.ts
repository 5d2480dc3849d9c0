import type { Report } from '@fleetqry/contracts';
import type { Policy, Waiver } from '@fleetqry/policy';
import { planScan, probeStage, type ScanPlan, type ScanRequest, type TargetFailure } from '@fleetqry/probe';
import { createRun, ensureScanDefinition, finishRun, getRun, startRun, type Store } from '@fleetqry/store';

import { loadInventoryFile } from '../inventory/inventory-file.js';
import { inventoryScanRequest, policyHosts } from '../inventory/inventory-request.js';
import { buildReport, runInfo } from '../report/build-report.js';
import { evaluateStage } from '../stages/evaluate-stage.js';
import { Ingester } from '../stages/ingest-stage.js';

export interface SweepOptions {
  inventoryPath: string;
  policy: Policy;
  waivers: readonly Waiver[];
  store: Store;
  /** Site defaults (scope, limits, resolver, default exclusions) the inventory's scan builds on. */
  base: Parameters<typeof inventoryScanRequest>[1];
  workers?: number;
  signal?: AbortSignal;
  /** Called once the plan is known (for a progress bar), then per batch of finished probes. */
  onPlan?(plan: ScanPlan): void;
  onProgress?(probes: number): void;
  now?: () => Date;
}

export interface SweepResult {
  report: Report;
  failures: TargetFailure[];
}

/**
 * The embedded transport: plan → probe → ingest → evaluate → report in one process. Input errors
 * (bad inventory, out-of-scope target, bad policy) are thrown before a run is recorded; once the run
 * exists, a failure marks it failed and nothing half-written is reported as a result.
 */
export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const now = opts.now ?? (() => new Date());
  const loaded = await loadInventoryFile(opts.inventoryPath);
  const request: ScanRequest = inventoryScanRequest(loaded, opts.base);
  const plan = await planScan(request);
  opts.onPlan?.(plan);

  const { prisma } = opts.store;
  const scanName = `cli:${loaded.source}`;
  const definition = await ensureScanDefinition(prisma, scanName);
  const { run } = await createRun(prisma, {
    trigger: 'cli',
    scanDefinitionId: definition.id,
    policyName: opts.policy.metadata.name,
    totalProbes: plan.hostCount * plan.probesPerHost,
    hosts: plan.hostCount,
    plan: {
      inventory: loaded.source,
      policyVersion: String(opts.policy.metadata.version),
      ports: { tcp: plan.ports.tcp.toString(), udp: plan.ports.udp.toString() },
    },
  });
  await startRun(prisma, run.id, now());
  try {
    const ingester = new Ingester(prisma, run.id);
    const probed = await probeStage(
      plan,
      {
        onObservations: async (observations, probes) => {
          await ingester.add(observations);
          opts.onProgress?.(probes);
        },
        onSkipped: (probes) => opts.onProgress?.(probes),
      },
      { workers: opts.workers, signal: opts.signal },
    );
    await ingester.flush();
    const evaluated = await evaluateStage(prisma, run, {
      policy: opts.policy,
      hosts: policyHosts(loaded),
      waivers: opts.waivers,
      now: now(),
    });
    await finishRun(prisma, run.id, { status: 'succeeded' }, now());
    const finished = (await getRun(prisma, run.id))!;
    const previous = evaluated.previous
      ? { id: evaluated.previous.id, number: evaluated.previous.number }
      : null;
    return {
      report: buildReport(runInfo(finished, scanName), evaluated.findings, previous),
      failures: probed.failures,
    };
  } catch (e) {
    const aborted = opts.signal?.aborted === true;
    await finishRun(prisma, run.id, {
      status: aborted ? 'cancelled' : 'failed',
      error: e instanceof Error ? e.message : String(e),
    });
    throw e;
  }
}
