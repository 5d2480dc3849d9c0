import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';

import { get } from '../../api/client';
import type { Delta, Finding } from '../../api/types';
import { DataTable } from '../../components/data-table';
import { ErrorBox, Loading, Section } from '../../components/feedback';
import { SeverityBadge } from '../../components/severity';
import { useSearchParams } from '../../router';
import { FindingWhere } from '../report/finding-cells';

const col = createColumnHelper<Finding>();
const columns = [
  col.accessor('severity', { header: 'Severity', cell: (c) => <SeverityBadge severity={c.getValue()} /> }),
  col.accessor('rule', { header: 'Rule' }),
  col.display({ id: 'host', header: 'Host', cell: (c) => <FindingWhere finding={c.row.original} /> }),
  col.display({
    id: 'port',
    header: 'Port',
    cell: (c) => (c.row.original.port ? `${c.row.original.proto}/${c.row.original.port}` : '—'),
  }),
  col.accessor('title', { header: 'Finding' }),
];

/** New, resolved and persisting violations between two runs (GET /delta, libs/policy's delta). */
export function DiffPage() {
  const [params] = useSearchParams();
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const q = useQuery({ queryKey: ['delta', from, to], queryFn: () => get<Delta>('/delta', { from, to }) });
  if (q.isPending) return <Loading what="the comparison" />;
  return (
    <>
      <h1>
        Run #{q.data?.from.number ?? from} → run #{q.data?.to.number ?? to}
      </h1>
      <ErrorBox error={q.error} />
      {q.data &&
        (
          [
            ['New', q.data.new],
            ['Resolved', q.data.resolved],
            ['Persisting', q.data.persisting],
          ] as const
        ).map(([title, rows]) => (
          <Section key={title} title={`${title} (${rows.length})`}>
            <DataTable caption={`${title} findings`} columns={columns} rows={rows} rowKey={(f) => f.key} />
          </Section>
        ))}
    </>
  );
}
