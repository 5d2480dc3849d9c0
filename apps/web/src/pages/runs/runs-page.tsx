import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';

import { api, get } from '../../api/client';
import type { Page, Run, ScanDefinition } from '../../api/types';
import { Can, useCan } from '../../auth/principal';
import { DataTable } from '../../components/data-table';
import { ErrorBox, formatTime, Section } from '../../components/feedback';
import { StatusBadge } from '../../components/severity';
import { Link, navigate } from '../../router';

const ACTIVE = new Set(['queued', 'running']);
const col = createColumnHelper<Run>();

function Progress({ run }: { run: Run }) {
  const p = run.progress;
  if (!ACTIVE.has(run.status)) return <>{p.doneProbes.toLocaleString()} probes</>;
  const pct = p.totalProbes ? Math.floor((100 * p.doneProbes) / p.totalProbes) : 0;
  const label =
    p.stage === 'evaluating'
      ? `evaluating ${p.evaluatedHosts}/${run.hosts} hosts`
      : `${pct}% of ${p.totalProbes} probes`;
  return (
    <span className="progress-cell">
      <progress max={100} value={pct} aria-label={`Run ${run.number} progress`} /> {label}
    </span>
  );
}

/** Runs with live progress (polled every 2 s while one is active), start and cancel, and a diff of two. */
export function RunsPage() {
  const client = useQueryClient();
  const canOperate = useCan('operator');
  const runs = useQuery({
    queryKey: ['runs'],
    queryFn: () => get<Run[]>('/runs', { limit: 50 }),
    refetchInterval: (q) => (q.state.data?.some((r) => ACTIVE.has(r.status)) ? 2000 : 15_000),
  });
  const cancel = useMutation({
    mutationFn: (id: string) => api('POST', `/runs/${id}/cancel`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['runs'] }),
  });
  const columns = [
    col.accessor('number', {
      header: 'Run',
      cell: (c) => <Link to={`/report?run=${c.getValue()}`}>#{c.getValue()}</Link>,
    }),
    col.accessor('status', { header: 'Status', cell: (c) => <StatusBadge status={c.getValue()} /> }),
    col.accessor('trigger', { header: 'Trigger' }),
    col.accessor('hosts', { header: 'Hosts' }),
    col.display({ id: 'progress', header: 'Progress', cell: (c) => <Progress run={c.row.original} /> }),
    col.accessor('createdAt', { header: 'Created', cell: (c) => formatTime(c.getValue()) }),
    col.accessor('durationMs', {
      header: 'Duration',
      cell: (c) => (c.getValue() === null ? '—' : `${(c.getValue()! / 1000).toFixed(1)} s`),
    }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) =>
        canOperate && ACTIVE.has(c.row.original.status) ? (
          <button
            type="button"
            className="danger"
            onClick={() => cancel.mutate(c.row.original.id)}
            aria-label={`Cancel run ${c.row.original.number}`}
          >
            Cancel
          </button>
        ) : null,
    }),
  ];
  return (
    <>
      <h1>Runs</h1>
      <Can role="operator">
        <StartRun />
      </Can>
      <Section title="Recent runs">
        <ErrorBox error={runs.error ?? cancel.error} />
        <DataTable caption="Recent runs" columns={columns} rows={runs.data ?? []} rowKey={(r) => r.id} />
      </Section>
      <DiffForm runs={runs.data ?? []} />
    </>
  );
}

function StartRun() {
  const client = useQueryClient();
  const defs = useQuery({
    queryKey: ['scan-definitions'],
    queryFn: () => get<Page<ScanDefinition>>('/scan-definitions', { limit: 1000 }),
  });
  const [id, setId] = useState('');
  const start = useMutation({
    mutationFn: (scanDefinitionId: string) =>
      api<Run>('POST', '/runs', { scanDefinitionId, idempotencyKey: `console-${crypto.randomUUID()}` }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['runs'] }),
  });
  const chosen = id || defs.data?.items[0]?.id || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (chosen) start.mutate(chosen);
  };
  return (
    <Section title="Start a run">
      <form className="inline" onSubmit={submit}>
        <label htmlFor="start-def">Scan definition</label>
        <select id="start-def" value={chosen} onChange={(e) => setId(e.target.value)}>
          {(defs.data?.items ?? []).map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
        <button type="submit" disabled={!chosen || start.isPending}>
          Start scan
        </button>
      </form>
      <ErrorBox error={defs.error ?? start.error} />
      {start.data && (
        <p role="status">
          Run #{start.data.number} {start.data.status}.
        </p>
      )}
    </Section>
  );
}

function DiffForm({ runs }: { runs: Run[] }) {
  const done = runs.filter((r) => r.status === 'succeeded');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const a = from || String(done[1]?.number ?? '');
  const b = to || String(done[0]?.number ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/runs/diff?from=${a}&to=${b}`);
  };
  return (
    <Section title="Compare two runs">
      <form className="inline" onSubmit={submit}>
        <label htmlFor="diff-from">From run</label>
        <select id="diff-from" value={a} onChange={(e) => setFrom(e.target.value)}>
          {done.map((r) => (
            <option key={r.id} value={r.number}>
              #{r.number}
            </option>
          ))}
        </select>
        <label htmlFor="diff-to">To run</label>
        <select id="diff-to" value={b} onChange={(e) => setTo(e.target.value)}>
          {done.map((r) => (
            <option key={r.id} value={r.number}>
              #{r.number}
            </option>
          ))}
        </select>
        <button type="submit" disabled={!a || !b}>
          Compare
        </button>
      </form>
    </Section>
  );
}
