import { writeFileSync } from 'node:fs';

import { SEVERITIES, type Report, type RunInfo, type Severity, type TrendPoint } from '@fleetqry/contracts';
import { hasViolationsAtOrAbove } from '@fleetqry/policy';
import { renderCsv, renderHtml, renderSarif, renderText } from '@fleetqry/sweep';
import { Option } from 'commander';

import { choiceOption } from '../cli-values.js';
import { EXIT } from '../exit-codes.js';
import { VERSION } from '../version.js';

export const REPORT_FORMATS = ['text', 'json', 'csv', 'sarif', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const FAIL_ON = [...SEVERITIES, 'none'] as const;

/** `-f/--format` for reports, shared by sweep and report. */
export function reportFormatOption(): Option {
  return new Option('-f, --format <format>', 'report format')
    .default('text')
    .argParser(choiceOption('--format', REPORT_FORMATS));
}

/** `--sarif-root`: what report paths (SARIF locations) are relative to. */
export function sarifRootOption(): Option {
  return new Option(
    '--sarif-root <dir>',
    "report paths (SARIF locations) relative to this directory (default: the inventory's git work tree, else the working directory)",
  );
}

/** `--fail-on`: sweep gates on high by default; report only when asked. */
export function failOnOption(defaultSeverity: Severity | 'none'): Option {
  return new Option('--fail-on <severity>', 'exit 3 when a violation is at or above this severity')
    .default(defaultSeverity)
    .argParser(choiceOption('--fail-on', FAIL_ON));
}

/** Prints (or writes) a report in the chosen format; `trend` is the HTML report's history chart. */
export function emitReport(
  report: Report,
  format: ReportFormat,
  opts: { output?: string; failures?: string[]; trend?: readonly TrendPoint[] } = {},
): void {
  const text =
    format === 'json'
      ? `${JSON.stringify(opts.failures?.length ? { ...report, probeFailures: opts.failures } : report, null, 2)}\n`
      : format === 'csv'
        ? renderCsv(report)
        : format === 'sarif'
          ? renderSarif(report, VERSION)
          : format === 'html'
            ? renderHtml(report, { version: VERSION, ...(opts.trend ? { trend: opts.trend } : {}) })
            : renderText(report, { failures: opts.failures });
  if (opts.output) writeFileSync(opts.output, text);
  else process.stdout.write(text);
}

/** 3 when a violation is at or above --fail-on; else 4 when targets could not be probed; else 0. */
export function reportExitCode(report: Report, failOn: Severity | 'none', failures = 0): number {
  if (failOn !== 'none' && hasViolationsAtOrAbove(report.violations, failOn)) return EXIT.VIOLATIONS;
  return failures > 0 ? EXIT.INCOMPLETE : EXIT.OK;
}

/**
 * A run that did not succeed goes to stderr, not as a report (an empty report would read as a clean run):
 * its error and the targets its plan could not resolve. 4 when it had no target it could probe (every name
 * failed to resolve), else 70. The embedded sweep and `scan start --wait` end the same way.
 */
export function unsucceededRunExit(
  run: Pick<RunInfo, 'number' | 'status' | 'error' | 'hosts' | 'planFailures'>,
): number {
  process.stderr.write(`fleetqry: run #${run.number} ${run.status}${run.error ? `: ${run.error}` : ''}\n`);
  for (const f of run.planFailures) process.stderr.write(`  ${f.given}: ${f.error}\n`);
  return run.hosts === 0 && run.planFailures.length > 0 ? EXIT.INCOMPLETE : EXIT.RUNTIME;
}
