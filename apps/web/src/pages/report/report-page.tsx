import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';

import { download, get, withQuery } from '../../api/client';
import type { Finding, FindingsPage } from '../../api/types';
import { Can } from '../../auth/principal';
import { DataTable } from '../../components/data-table';
import { ErrorBox, Section } from '../../components/feedback';
import { SEVERITIES, SeverityBadge, STATUSES, StatusBadge } from '../../components/severity';
import { Link, useSearchParams } from '../../router';
import { Evidence, FindingWhere } from './finding-cells';
import { apiFilters, readFilters, reportFilters, toParams, type ReportFilters } from './report-filters';

const PAGE = 50;
const FORMATS = ['json', 'csv', 'sarif', 'html'] as const;
const col = createColumnHelper<Finding>();

const columns = [
  col.accessor('severity', { header: 'Severity', cell: (c) => <SeverityBadge severity={c.getValue()} /> }),
  col.accessor('rule', {
    header: 'Rule',
    cell: (c) => (
      <Link className="rule-id" to={`/rule?id=${encodeURIComponent(c.getValue())}`}>
        {c.getValue()}
      </Link>
    ),
  }),
  col.display({ id: 'host', header: 'Host', cell: (c) => <FindingWhere finding={c.row.original} /> }),
  col.display({
    id: 'port',
    header: 'Port',
    cell: (c) => (c.row.original.port ? `${c.row.original.proto}/${c.row.original.port}` : '—'),
  }),
  col.accessor('status', { header: 'Status', cell: (c) => <StatusBadge status={c.getValue()} /> }),
  col.accessor('title', { header: 'Finding' }),
  col.display({
    id: 'evidence',
    header: 'Evidence',
    cell: (c) => <Evidence evidence={c.row.original.evidence} />,
  }),
  col.display({
    id: 'actions',
    header: 'Actions',
    cell: (c) => (
      <Can role="admin">
        {c.row.original.status !== 'waived' && c.row.original.status !== 'resolved' ? (
          <Link
            to={withQuery('/waivers', { rule: c.row.original.rule, address: c.row.original.address })}
            aria-label={`Waive ${c.row.original.rule} on ${c.row.original.address}`}
          >
            Waive
          </Link>
        ) : null}
      </Can>
    ),
  }),
];

/** Every violation of a run, filtered and paged by the server; the filters live in the URL. */
export function ReportPage() {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const page = useQuery({
    queryKey: ['findings', filters],
    queryFn: () =>
      get<FindingsPage>('/findings', {
        run: filters.run,
        ...apiFilters(filters),
        limit: PAGE,
        offset: (filters.page - 1) * PAGE,
      }),
    placeholderData: keepPreviousData,
  });
  const apply = (next: ReportFilters) => setParams(toParams(next));
  const total = page.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const exportAs = (format: (typeof FORMATS)[number]) =>
    download(
      withQuery(`/reports/${encodeURIComponent(filters.run)}`, { format, ...reportFilters(filters) }),
      `fleetqry-run-${page.data?.run.number ?? filters.run}.${format}`,
    );
  return (
    <>
      <h1>Run report{page.data ? ` — run #${page.data.run.number}` : ''}</h1>
      <FilterForm key={params.toString()} filters={filters} onApply={apply} />
      <Section
        title="Violations"
        actions={
          <div className="buttons" role="group" aria-label="Export">
            {FORMATS.map((f) => (
              <button key={f} type="button" className="secondary" onClick={() => void exportAs(f)}>
                Export {f.toUpperCase()}
              </button>
            ))}
          </div>
        }
      >
        <ErrorBox error={page.error} />
        <p className="muted" role="status" data-testid="findings-total">
          {page.isPending ? 'Loading…' : `${total} finding(s), page ${filters.page} of ${pages}`}
        </p>
        <DataTable
          caption="Findings of the run"
          columns={columns}
          rows={page.data?.items ?? []}
          rowKey={(f) => f.key}
          empty="No finding matches these filters."
        />
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            className="secondary"
            disabled={filters.page <= 1}
            onClick={() => apply({ ...filters, page: filters.page - 1 })}
          >
            Previous page
          </button>
          <button
            type="button"
            className="secondary"
            disabled={filters.page >= pages}
            onClick={() => apply({ ...filters, page: filters.page + 1 })}
          >
            Next page
          </button>
        </nav>
      </Section>
    </>
  );
}

function FilterForm({ filters, onApply }: { filters: ReportFilters; onApply: (f: ReportFilters) => void }) {
  const [f, setF] = useState(filters);
  const text = (v: string[]) => v.join(', ');
  const split = (v: string) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply({ ...f, page: 1 });
  };
  const toggle = (status: string) =>
    setF({
      ...f,
      status: f.status.includes(status) ? f.status.filter((s) => s !== status) : [...f.status, status],
    });
  return (
    <form className="card filters" onSubmit={submit} aria-label="Report filters">
      <div className="field">
        <label htmlFor="f-run">Run</label>
        <input id="f-run" value={f.run} onChange={(e) => setF({ ...f, run: e.target.value || 'latest' })} />
      </div>
      <div className="field">
        <label htmlFor="f-rule">Rule</label>
        <input
          id="f-rule"
          placeholder="snmp.*"
          defaultValue={text(f.rule)}
          onChange={(e) => setF({ ...f, rule: split(e.target.value) })}
        />
      </div>
      <div className="field">
        <label htmlFor="f-sev">Minimum severity</label>
        <select
          id="f-sev"
          value={f.minSeverity}
          onChange={(e) => setF({ ...f, minSeverity: e.target.value as ReportFilters['minSeverity'] })}
        >
          <option value="">any</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-tag">Tag</label>
        <input
          id="f-tag"
          defaultValue={text(f.tag)}
          onChange={(e) => setF({ ...f, tag: split(e.target.value) })}
        />
      </div>
      <div className="field">
        <label htmlFor="f-host">Host or CIDR</label>
        <input
          id="f-host"
          placeholder="10.0.0.0/24"
          defaultValue={text(f.host)}
          onChange={(e) => setF({ ...f, host: split(e.target.value) })}
        />
      </div>
      <fieldset className="field">
        <legend>Status</legend>
        {STATUSES.map((s) => (
          <label key={s} className="check">
            <input type="checkbox" checked={f.status.includes(s)} onChange={() => toggle(s)} /> {s}
          </label>
        ))}
      </fieldset>
      <div className="field end">
        <button type="submit">Apply filters</button>
      </div>
    </form>
  );
}
