import { networkQualityLine, SEVERITIES, type Finding, type Report } from '@fleetqry/contracts';

/** Evidence in one line: `key=value` pairs, arrays joined, long values cut. */
export function evidenceLine(evidence: Record<string, unknown>): string {
  return Object.entries(evidence)
    .map(([k, v]) => {
      const text = Array.isArray(v)
        ? `[${v.join(', ')}]`
        : typeof v === 'object' && v !== null
          ? JSON.stringify(v)
          : String(v);
      return `${k}=${text.length > 120 ? `${text.slice(0, 117)}...` : text}`;
    })
    .join(' ');
}

function where(f: Finding): string {
  const host = f.host && f.host !== f.address ? `${f.address} (${f.host})` : f.address;
  return f.proto && f.port ? `${host} ${f.proto}/${f.port}` : host;
}

function findingLines(f: Finding): string[] {
  const lines = [
    `  ${f.severity.toUpperCase().padEnd(8)} ${f.rule.padEnd(30)} ${where(f)}  ${f.status.toUpperCase()}`,
  ];
  lines.push(`           ${f.title}`);
  lines.push(`           evidence: ${evidenceLine(f.evidence)}`);
  if (f.waiver)
    lines.push(`           waived by ${f.waiver.owner} until ${f.waiver.expiresAt}: ${f.waiver.reason}`);
  if (f.owner) lines.push(`           owner: ${f.owner}`);
  return lines;
}

/** The human report: summary by severity and rule, the delta, then each finding with its evidence. */
export function renderText(report: Report, extra: { failures?: string[] } = {}): string {
  const { run, summary, delta } = report;
  const out: string[] = [];
  const policy = run.policy
    ? `policy ${run.policy.name}${run.policy.version ? ` ${run.policy.version}` : ''}`
    : 'no policy';
  out.push(`fleetqry report — run #${run.number} (${run.status}), ${run.scan ?? 'ad-hoc scan'}, ${policy}`);
  const secs =
    run.startedAt && run.finishedAt
      ? ((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)
      : '?';
  out.push(`${run.hosts} host(s), ${run.doneProbes}/${run.totalProbes} probes stored, ${secs} s`);
  out.push(networkQualityLine(run.network));
  if (run.error) out.push(`Error: ${run.error}`);
  out.push('');
  out.push(
    `Violations: ${summary.violations} on ${summary.hostsWithViolations} host(s)  (${SEVERITIES.map((s) => `${s} ${summary.bySeverity[s] ?? 0}`).join(', ')})`,
  );
  for (const r of summary.byRule)
    out.push(`  ${r.severity.padEnd(8)} ${r.rule.padEnd(30)} ${r.count} finding(s) on ${r.hosts} host(s)`);
  out.push(
    delta.against
      ? `Delta against run #${delta.against.number}: ${delta.new} new, ${delta.resolved} resolved, ${delta.persisting} persisting, ${delta.waived} waived`
      : `First run of this scan: ${delta.new} new, ${delta.waived} waived`,
  );
  const groups: Array<[string, Finding[]]> = [
    ['Violations', report.violations.filter((f) => f.status === 'new' || f.status === 'persisting')],
    ['Resolved since the previous run', report.violations.filter((f) => f.status === 'resolved')],
    ['Waived', report.violations.filter((f) => f.status === 'waived')],
  ];
  for (const [title, list] of groups) {
    if (list.length === 0) continue;
    out.push('', `${title}:`);
    for (const f of list) out.push(...findingLines(f));
  }
  // The plan's failures are stored with the run; `extra.failures` are the sweep's, found while probing.
  const failures = [...run.planFailures.map((f) => `${f.given}: ${f.error}`), ...(extra.failures ?? [])];
  if (failures.length) {
    out.push('', `Targets that could not be probed (${failures.length}):`);
    for (const line of failures) out.push(`  ${line}`);
  }
  return `${out.join('\n')}\n`;
}
