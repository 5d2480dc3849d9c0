import { useQuery } from '@tanstack/react-query';

import { get } from '../../api/client';
import type { FindingsSummary, ViolationTrend } from '../../api/types';
import { ErrorBox, Loading, Section } from '../../components/feedback';
import { SEVERITIES, SeverityBadge } from '../../components/severity';
import { TrendChart } from '../../components/trend-chart';
import { Link } from '../../router';

const isViolation = (status: string) => status === 'new' || status === 'persisting';

/** The morning view: the latest succeeded run's violations by severity and rule, the delta, the trend. */
export function OverviewPage() {
  const summary = useQuery({
    queryKey: ['summary', 'latest'],
    queryFn: () => get<FindingsSummary>('/findings/summary', { run: 'latest' }),
  });
  const trend = useQuery({
    queryKey: ['trend', 'latest'],
    queryFn: () => get<ViolationTrend>('/findings/trend', { run: 'latest', limit: 30 }),
  });
  if (summary.isPending) return <Loading what="the latest run" />;
  if (summary.error)
    return (
      <>
        <h1>Overview</h1>
        <ErrorBox error={summary.error} />
      </>
    );
  const s = summary.data;
  const bySeverity = Object.fromEntries(SEVERITIES.map((sev) => [sev, 0])) as Record<string, number>;
  const byStatus: Record<string, number> = { new: 0, persisting: 0, resolved: 0, waived: 0 };
  const rules = new Map<string, { severity: (typeof SEVERITIES)[number]; count: number; hosts: number }>();
  for (const g of s.groups) {
    byStatus[g.status] = (byStatus[g.status] ?? 0) + g.count;
    if (!isViolation(g.status)) continue;
    bySeverity[g.severity] = (bySeverity[g.severity] ?? 0) + g.count;
    const r = rules.get(g.rule) ?? { severity: g.severity, count: 0, hosts: 0 };
    r.count += g.count;
    r.hosts = Math.max(r.hosts, g.hosts);
    rules.set(g.rule, r);
  }
  const violations = (byStatus.new ?? 0) + (byStatus.persisting ?? 0);
  const runLink = `/report?run=${s.run.number}`;
  return (
    <>
      <h1>Overview</h1>
      <p className="muted">
        Latest succeeded run: <Link to={runLink}>run #{s.run.number}</Link>
      </p>
      <ul className="cards" aria-label="Summary of the latest run">
        <li>
          <b data-testid="violations-total">{violations}</b> violations
        </li>
        <li>
          <b data-testid="new-count">{byStatus.new}</b> new since the previous run
        </li>
        <li>
          <b data-testid="resolved-count">{byStatus.resolved}</b> resolved since the previous run
        </li>
        <li>
          <b>{byStatus.persisting}</b> persisting
        </li>
        <li>
          <b>{byStatus.waived}</b> waived
        </li>
      </ul>
      <div className="grid2">
        <Section title="Violations by severity">
          <table>
            <caption className="sr-only">Violations by severity</caption>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col" className="num">
                  Violations
                </th>
              </tr>
            </thead>
            <tbody>
              {SEVERITIES.map((sev) => (
                <tr key={sev}>
                  <td>
                    <Link to={`${runLink}&severity=${sev}&status=new,persisting`}>
                      <SeverityBadge severity={sev} />
                    </Link>
                  </td>
                  <td className="num">{bySeverity[sev]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
        <Section title="Violations by rule">
          <table>
            <caption className="sr-only">Violations by rule</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Severity</th>
                <th scope="col" className="num">
                  Findings
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.size === 0 && (
                <tr>
                  <td colSpan={3} className="muted">
                    No violations.
                  </td>
                </tr>
              )}
              {[...rules.entries()]
                .sort(
                  (a, b) =>
                    SEVERITIES.indexOf(a[1].severity) - SEVERITIES.indexOf(b[1].severity) ||
                    b[1].count - a[1].count,
                )
                .map(([rule, r]) => (
                  <tr key={rule}>
                    <td>
                      <Link
                        to={`/rule?id=${encodeURIComponent(rule)}&run=${s.run.number}`}
                        className="rule-id"
                      >
                        {rule}
                      </Link>
                    </td>
                    <td>
                      <SeverityBadge severity={r.severity} />
                    </td>
                    <td className="num">{r.count}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </Section>
      </div>
      <Section title="Violations per run">
        {trend.error ? <ErrorBox error={trend.error} /> : <TrendChart points={trend.data?.points ?? []} />}
      </Section>
    </>
  );
}
