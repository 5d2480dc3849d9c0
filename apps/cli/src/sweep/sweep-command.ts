import { resolve } from 'node:path';

import type { Severity } from '@fleetqry/contracts';
import { loadPolicy, loadViolationTrend, loadWaivers, runSweep, type SweepStage } from '@fleetqry/sweep';
import { Command } from 'commander';

import { intOption, repeatOption } from '../cli-values.js';
import { loadCliConfig } from '../config.js';
import { noteExcludedPorts } from '../output/excluded-notice.js';
import { createProgress, type Progress } from '../output/progress.js';
import { buildScanRequest } from '../query/build-request.js';
import {
  emitReport,
  failOnOption,
  reportExitCode,
  reportFormatOption,
  sarifRootOption,
  unsucceededRunExit,
  type ReportFormat,
} from './report-output.js';
import { addStoreOptions, withOpeningStore, type StoreFlags } from './store-options.js';

interface SweepFlags extends StoreFlags {
  inventory: string;
  policy: string;
  waivers?: string;
  format: ReportFormat;
  output?: string;
  failOn: Severity | 'none';
  reverse: boolean;
  dnsServer?: string[];
  workers?: number;
  config?: string;
  groupsFile?: string;
  progress: boolean;
  timings: boolean;
  sarifRoot?: string;
}

async function sweep(flags: SweepFlags): Promise<number> {
  const config = loadCliConfig(flags.config);
  const policy = await loadPolicy(flags.policy);
  const waivers = flags.waivers ? await loadWaivers(flags.waivers) : [];
  // Site defaults from the config; the inventory supplies targets, ports and checks.
  const {
    targets: _t,
    ports,
    ...base
  } = buildScanRequest(
    {
      targets: [],
      ports: {},
      noReverse: !flags.reverse,
      dnsServers: flags.dnsServer,
      groupsFile: flags.groupsFile,
    },
    config,
  );
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  let progress: Progress | undefined;
  let evaluating: Progress | undefined;
  let evaluated = 0;
  const stages: [SweepStage, number][] = [];
  try {
    const { report, failures, trend } = await withOpeningStore(flags, async (store) => {
      const swept = await runSweep({
        inventoryPath: flags.inventory,
        policy,
        waivers,
        store,
        base: { ...base, ports: { defaultExcludedPorts: ports.defaultExcludedPorts } },
        workers: flags.workers,
        ...(flags.sarifRoot ? { sourceRoot: resolve(flags.sarifRoot) } : {}),
        signal: controller.signal,
        onPlan: (plan) => {
          noteExcludedPorts(plan.ports);
          progress = createProgress(plan.totalProbes, flags.progress && process.stderr.isTTY === true);
        },
        onProgress: (n) => progress?.tick(n),
        onEvaluate: (done, total) => {
          if (!evaluating) {
            progress?.stop();
            evaluating = createProgress(
              total,
              flags.progress && process.stderr.isTTY === true,
              'hosts evaluated',
            );
          }
          evaluating.tick(done - evaluated);
          evaluated = done;
        },
        onStage: (stage, ms) => stages.push([stage, ms]),
      });
      const history =
        flags.format === 'html'
          ? (await loadViolationTrend(await store, swept.report.run.id)).points
          : undefined;
      return { ...swept, trend: history };
    });
    progress?.stop();
    evaluating?.stop();
    if (report.run.status !== 'succeeded') return unsucceededRunExit(report.run);
    const failureLines = failures.map((f) => `${f.host}: ${f.error}`);
    emitReport(report, flags.format, {
      output: flags.output,
      failures: failureLines,
      ...(trend ? { trend } : {}),
    });
    if (flags.timings) process.stderr.write(`${formatStageTimings(stages)}\n`);
    return reportExitCode(report, flags.failOn, failures.length + report.run.planFailures.length);
  } finally {
    progress?.stop();
    evaluating?.stop();
    process.removeListener('SIGINT', onSigint);
  }
}

/** `stages: plan 0.08 s · store 1.21 s (beside the probe) · probe 5.02 s · … · process 6.90 s`. */
export function formatStageTimings(stages: readonly [SweepStage, number][]): string {
  const order: SweepStage[] = ['plan', 'store', 'probe', 'ingest', 'evaluate', 'report'];
  const sorted = [...stages].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  const parts = sorted.map(
    ([stage, ms]) => `${stage} ${(ms / 1000).toFixed(2)} s${stage === 'store' ? ' (beside the probe)' : ''}`,
  );
  // performance.now() counts from the process's start, so this includes start-up and module loading.
  parts.push(`process ${(performance.now() / 1000).toFixed(2)} s`);
  return `stages: ${parts.join(' · ')}`;
}

export function sweepCommand(): Command {
  return addStoreOptions(
    new Command('sweep')
      .description(
        'compliance sweep of an inventory: plan → probe → store → evaluate → report, in one process',
      )
      .requiredOption('-i, --inventory <file>', 'inventory YAML (targets, ports, snmp communities, tags)')
      .option('--policy <name|file>', 'built-in policy name or policy YAML', 'baseline')
      .option('--waivers <file>', 'waivers YAML (waivers: [...])')
      .addOption(reportFormatOption())
      .option('-o, --output <file>', 'write the report to a file')
      .addOption(failOnOption('high'))
      .option('--no-reverse', 'no reverse (PTR) lookups; also -nr')
      .option('--dns-server <addr>', 'DNS server for name resolution; repeatable', repeatOption)
      .option('--workers <n>', 'scanner threads', intOption('--workers', 1, 64))
      .option('--config <file>', 'fleetqry.config.yaml to use')
      .option('--groups-file <file>', "YAML with your own service groups, for the inventory's ports.groups")
      .option('--no-progress', 'no progress bar')
      .option('--timings', "print each stage's wall time to stderr at the end")
      .addOption(sarifRootOption()),
  ).action(async (flags: SweepFlags) => {
    process.exitCode = await sweep(flags);
  });
}
