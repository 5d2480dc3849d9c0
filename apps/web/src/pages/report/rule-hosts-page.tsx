import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';

import { get } from '../../api/client';
import type { Finding, FindingsPage } from '../../api/types';
import { DataTable } from '../../components/data-table';
import { ErrorBox, formatTime, Section } from '../../components/feedback';
import { SeverityBadge, StatusBadge } from '../../components/severity';
import { Link, useSearchParams } from '../../router';
import { FindingWhere } from './finding-cells';

const col = createColumnHelper<Finding>();
const columns = [
  col.display({ id: 'host', header: 'Host', cell: (c) => <FindingWhere finding={c.row.original} /> }),
  col.display({
    id: 'port',
    header: 'Port',
    cell: (c) => (c.row.original.port ? `${c.row.original.proto}/${c.row.original.port}` : '—'),
  }),
  col.accessor('severity', { header: 'Severity', cell: (c) => <SeverityBadge severity={c.getValue()} /> }),
  col.accessor('status', { header: 'Status', cell: (c) => <StatusBadge status={c.getValue()} /> }),
  col.accessor('firstSeen', { header: 'First seen', cell: (c) => formatTime(c.getValue()) }),
];

/** The hosts that violate one rule in a run (new and persisting findings). */
export function RuleHostsPage() {
  const [params] = useSearchParams();
  const rule = params.get('id') ?? '';
  const run = params.get('run') || 'latest';
  const q = useQuery({
    queryKey: ['rule-hosts', rule, run],
    queryFn: () =>
      get<FindingsPage>('/findings', { run, rule: [rule], status: ['new', 'persisting'], limit: 1000 }),
    enabled: rule !== '',
  });
  return (
    <>
      <h1>
        Hosts violating <span className="rule-id">{rule || '(no rule)'}</span>
      </h1>
      <p className="muted">
        {q.data ? `Run #${q.data.run.number}: ${q.data.total} violation(s). ` : ''}
        <Link to={`/report?run=${encodeURIComponent(run)}&rule=${encodeURIComponent(rule)}`}>
          Open in the run report
        </Link>
      </p>
      <Section title="Hosts">
        <ErrorBox error={q.error} />
        <DataTable
          caption={`Hosts violating ${rule}`}
          columns={columns}
          rows={q.data?.items ?? []}
          rowKey={(f) => f.key}
          empty="No host violates this rule in this run."
        />
      </Section>
    </>
  );
}
