import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';

import { get } from '../../api/client';
import type { AuditEntry } from '../../api/types';
import { DataTable } from '../../components/data-table';
import { ErrorBox, formatTime, Section } from '../../components/feedback';
import { useSearchParams } from '../../router';

const col = createColumnHelper<AuditEntry>();
const columns = [
  col.accessor('at', { header: 'When', cell: (c) => formatTime(c.getValue()) }),
  col.accessor('actor', { header: 'Actor' }),
  col.accessor('action', { header: 'Action' }),
  col.accessor('target', { header: 'Target', cell: (c) => c.getValue() ?? '—' }),
  col.accessor('outcome', { header: 'Outcome' }),
  col.accessor('ip', { header: 'From', cell: (c) => c.getValue() ?? '—' }),
];

/** The audit log: every change and every denied attempt (who, what, when, from where). */
export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const actor = params.get('actor') ?? '';
  const outcome = params.get('outcome') ?? '';
  const [a, setA] = useState(actor);
  const [o, setO] = useState(outcome);
  const log = useQuery({
    queryKey: ['audit', actor, outcome],
    queryFn: () =>
      get<AuditEntry[]>('/audit', { actor: actor || undefined, outcome: outcome || undefined, limit: 200 }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setParams({ actor: a, outcome: o });
  };
  return (
    <>
      <h1>Audit log</h1>
      <form className="card inline" onSubmit={submit}>
        <label htmlFor="a-actor">Actor</label>
        <input id="a-actor" value={a} onChange={(e) => setA(e.target.value)} />
        <label htmlFor="a-outcome">Outcome</label>
        <select id="a-outcome" value={o} onChange={(e) => setO(e.target.value)}>
          <option value="">any</option>
          <option value="allowed">allowed</option>
          <option value="denied">denied</option>
        </select>
        <button type="submit">Filter</button>
      </form>
      <Section title="Entries">
        <ErrorBox error={log.error} />
        <DataTable caption="Audit log entries" columns={columns} rows={log.data ?? []} rowKey={(e) => e.id} />
      </Section>
    </>
  );
}
