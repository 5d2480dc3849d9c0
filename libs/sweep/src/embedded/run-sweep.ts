import type { Report } from '@fleetqry/contracts';
import type { Policy, Waiver } from '@fleetqry/policy';
import { planScan, probeStage, type ScanPlan, type ScanRequest, type TargetFailure } from '@fleetqry/probe';
import {
  createRun,
  ensureScanDefinition,
  finishRun,
  getRun,
  startRun,
  type RunRecord,
  type Store,
} from '@fleetqry/store';

import { loadInventoryFile } from '../inventory/inventory-file.js';
import { inventoryScanRequest, policyHosts } from '../inventory/inventory-request.js';
import { findSourceRoot, inventorySources, sourcePath } from '../inventory/inventory-sources.js';
import { loadRunReport } from '../report/load-run-report.js';
import { evaluateStage } from '../stages/evaluate-stage.js';
import { Ingester } from '../stages/ingest-stage.js';
import { nothingToProbeError, probingFailures } from '../stages/plan-failures.js';
import { stageClock, type SweepStage } from './stage-clock.js';

export type { SweepStage } from './stage-clock.js';

export interface SweepOptions {
  inventoryPath: string;
  policy: Policy;
  waivers: readonly Waiver[];
  /**
   * The store, or its opening: given as a promise, the probe starts while the store opens (an embedded
   * store takes a second or more to boot) and results wait in the ingester's buffer meanwhile.
   */
  store: Store | Promise<Store>;
  /** Site defaults (scope, limits, resolver, default exclusions) the inventory's scan builds on. */
  base: Parameters<typeof inventoryScanRequest>[1];
  workers?: number;
  /** What report paths are relative to (default: the inventory's git work tree, else the working dir). */
  sourceRoot?: string;
  signal?: AbortSignal;
  /** Called once the plan is known (for a progress bar), then per batch of finished probes. */
  onPlan?: (plan: ScanPlan) => void;
  onProgress?: (probes: number) => void;
  /** Hosts evaluated of the run's total, after each evaluation batch. */
  onEvaluate?: (hostsDone: number, hostsTotal: number) => void;
  /** Each stage's wall time as it ends (`store` overlaps `probe`: the store opens while probing). */
  onStage?: (stage: SweepStage, ms: number) => void;
  now?: () => Date;
}

export interface SweepResult {
  /** A run none of whose targets resolved is failed, with the plan's failures (`run.planFailures`). */
  report: Report;
  /** Targets that failed while probing (refused, local errors); the plan's failures are in the report. */
  failures: TargetFailure[];
}

/**
 * The embedded transport: plan → probe → ingest → evaluate → report in one process. Input errors
 * (bad inventory, out-of-scope target, bad policy) are thrown before a run is recorded; once the run
 * exists, a failure marks it failed and nothing half-written is reported as a result.
 */
export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const now = opts.now ?? (() => new Date());
  const stage = stageClock(opts.onStage);
  const loaded = await loadInventoryFile(opts.inventoryPath);
  const request: ScanRequest = inventoryScanRequest(loaded, opts.base);
  const plan = await planScan(request);
  stage('plan');
  opts.onPlan?.(plan);

  const probeable = plan.hostCount - plan.unresolved.length;
  const scanName = `cli:${loaded.source}`;
  const root = opts.sourceRoot ?? findSourceRoot(loaded.source);
  const startedAt = now();
  const recorded = (async () => {
    const store = await opts.store;
    const definition = await ensureScanDefinition(store.prisma, scanName);
    const { run } = await createRun(store.prisma, {
      trigger: 'cli',
      scanDefinitionId: definition.id,
      policyName: opts.policy.metadata.name,
      // What it can probe, as a distributed run counts it: names that did not resolve are failures.
      totalProbes: plan.resolvedProbes,
      hosts: probeable,
      plan: {
        inventory: loaded.source,
        category: loaded.inventory.name ?? sourcePath(loaded.source, root),
        sources: inventorySources(loaded, { top: loaded.source, root }),
        policyVersion: String(opts.policy.metadata.version),
        ports: { tcp: plan.ports.tcp.toString(), udp: plan.ports.udp.toString() },
        planFailures: [...plan.unresolved],
      },
    });
    const started = await startRun(store.prisma, run.id, startedAt);
    stage('store', 'plan');
    return { store, run: started };
  })();
  if (probeable === 0) {
    // Every target is a name that did not resolve: the run ends failed at once, nothing is probed.
    const { store, run } = await recorded;
    await finishRun(
      store.prisma,
      run.id,
      { status: 'failed', error: nothingToProbeError(plan.unresolved) },
      now(),
    );
    return { report: await loadRunReport(store, (await getRun(store.prisma, run.id))!), failures: [] };
  }
  // The store failing to open (or to record the run) stops the probe at once.
  const stop = new AbortController();
  recorded.catch((e: unknown) => stop.abort(e));
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;

  let probed: Awaited<ReturnType<typeof probeStage>>;
  const ingester = new Ingester(recorded.then(({ store, run }) => ({ store, runId: run.id })));
  try {
    probed = await probeStage(
      plan,
      {
        onObservations: async (observations, probes) => {
          await ingester.add(observations, [], probes);
          opts.onProgress?.(probes);
        },
        onCoverage: async (coverage, probes) => {
          await ingester.add([], coverage, probes);
          opts.onProgress?.(probes);
        },
        onSkipped: (probes) => opts.onProgress?.(probes),
      },
      // The main thread runs the embedded database: the scan gets a thread of its own.
      { workers: opts.workers, signal, compact: true, ownThread: true },
    );
  } catch (e) {
    await recorded.then(
      ({ store, run }) => failRun(store, run, e, opts.signal),
      () => {},
    );
    throw e;
  }
  stage('probe', 'plan');
  const { store, run } = await recorded;
  try {
    signal.throwIfAborted();
    await ingester.flush();
    stage('ingest', 'probe');
    await evaluateStage(store, run, {
      policy: opts.policy,
      hosts: policyHosts(loaded),
      waivers: opts.waivers,
      now: now(),
      ...(opts.onEvaluate ? { onProgress: opts.onEvaluate } : {}),
    });
    stage('evaluate', 'ingest');
    await finishRun(store.prisma, run.id, { status: 'succeeded', network: probed.network }, now());
    const finished = (await getRun(store.prisma, run.id))!;
    const report = await loadRunReport(store, finished);
    stage('report', 'evaluate');
    return { report, failures: probingFailures(probed.failures, plan.unresolved) };
  } catch (e) {
    await failRun(store, run, e, opts.signal);
    throw e;
  }
}

async function failRun(store: Store, run: RunRecord, e: unknown, signal?: AbortSignal): Promise<void> {
  await finishRun(store.prisma, run.id, {
    status: signal?.aborted === true ? 'cancelled' : 'failed',
    error: e instanceof Error ? e.message : String(e),
  });
}
