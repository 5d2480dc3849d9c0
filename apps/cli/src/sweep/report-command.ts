import { resolve } from 'node:path';

import {
  FINDING_STATUSES,
  SEVERITIES,
  type FindingStatus,
  type Report,
  type Severity,
  type TrendPoint,
} from '@fleetqry/contracts';
import { loadViolationTrend } from '@fleetqry/sweep';
import { Command, Option } from 'commander';

import { choiceOption, listOption } from '../cli-values.js';
import { UsageError } from '../usage-error.js';
import { addServerOptions, ApiClient, usesServer, type ServerFlags } from '../remote/api-client.js';
import { findRun, loadRunReport } from './load-run-report.js';
import {
  emitReport,
  failOnOption,
  reportExitCode,
  reportFormatOption,
  sarifRootOption,
  type ReportFormat,
} from './report-output.js';
import { addStoreOptions, withStore, type StoreFlags } from './store-options.js';

interface ReportFlags extends StoreFlags, ServerFlags {
  run: string;
  format: ReportFormat;
  output?: string;
  severity?: Severity;
  rule?: string[];
  tag?: string[];
  host?: string[];
  status?: string[];
  failOn: Severity | 'none';
  sarifRoot?: string;
}

function statuses(values: string[] | undefined): FindingStatus[] | undefined {
  if (!values) return undefined;
  return values.map((v) => {
    if (!(FINDING_STATUSES as readonly string[]).includes(v))
      throw new UsageError(`--status: "${v}" is not one of ${FINDING_STATUSES.join(', ')}`);
    return v as FindingStatus;
  });
}

export function reportCommand(): Command {
  return addServerOptions(
    addStoreOptions(
      new Command('report')
        .description('the violation report of a stored run')
        .option('--run <id>', 'run number, run id, or latest', 'latest')
        .addOption(reportFormatOption())
        .option('-o, --output <file>', 'write the report to a file')
        .addOption(
          new Option('--severity <severity>', 'only findings at or above this severity').argParser(
            choiceOption('--severity', SEVERITIES),
          ),
        )
        .option('--rule <ids>', 'only these rules (a trailing * matches a prefix: snmp.*)', listOption)
        .option('--tag <tags>', 'only hosts carrying one of these tags', listOption)
        .option('--host <hosts>', 'only these addresses, CIDRs or host names', listOption)
        .option('--status <statuses>', `only these statuses (${FINDING_STATUSES.join(', ')})`, listOption)
        .addOption(failOnOption('none'))
        .addOption(sarifRootOption()),
    ),
  ).action(async (flags: ReportFlags) => {
    // --server: the controller builds the same report (libs/sweep buildReport) from its store.
    const html = flags.format === 'html';
    let trend: TrendPoint[] | undefined;
    let report: Report;
    if (usesServer(flags)) {
      if (flags.sarifRoot)
        throw new UsageError('--sarif-root: applies to a local store; the server reports its own paths');
      const api = new ApiClient(flags);
      report = await api.report(flags.run, {
        'min-severity': flags.severity,
        rule: flags.rule,
        tag: flags.tag,
        host: flags.host,
        status: statuses(flags.status),
      });
      if (html) trend = (await api.trend(report.run.id)).points;
    } else {
      report = await withStore(flags, async (store) => {
        const stored = await loadRunReport(
          store,
          await findRun(store, flags.run),
          {
            minSeverity: flags.severity,
            rules: flags.rule,
            tags: flags.tag,
            hosts: flags.host,
            statuses: statuses(flags.status),
          },
          flags.sarifRoot ? { sourceRoot: resolve(flags.sarifRoot) } : {},
        );
        if (html) trend = (await loadViolationTrend(store, stored.run.id)).points;
        return stored;
      });
    }
    emitReport(report, flags.format, { output: flags.output, ...(trend ? { trend } : {}) });
    process.exitCode = reportExitCode(report, flags.failOn);
  });
}
