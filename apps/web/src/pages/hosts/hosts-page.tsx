import { useQueries, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { get } from '../../api/client';
import type { HostViewDetail, HostViewSummary, Observation, ObservationsPage, Run } from '../../api/types';
import { ErrorBox, formatTime, Section } from '../../components/feedback';
import { useSearchParams } from '../../router';
import { ProtocolDetails } from '../../components/protocol-details';

const RUNS = 5;
type Cell = { proto: string; port: number; byRun: Map<number, Observation> };

/**
 * One host across the last runs: each port's state per run, the latest service, banner and protocol data
 * (the network view), and beside it the host view an agent pushed (who owns each listener).
 */
export function HostsPage() {
  const [params, setParams] = useSearchParams();
  const address = params.get('address') ?? '';
  const [input, setInput] = useState(address);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setParams({ address: input.trim() });
  };
  return (
    <>
      <h1>Hosts</h1>
      <form className="card inline" onSubmit={submit}>
        <label htmlFor="host-address">Address</label>
        <input
          id="host-address"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          placeholder="127.30.0.1"
        />
        <button type="submit">Show host</button>
      </form>
      {address && <HostDetail key={address} address={address} />}
    </>
  );
}

function HostDetail({ address }: { address: string }) {
  const runs = useQuery({ queryKey: ['runs'], queryFn: () => get<Run[]>('/runs', { limit: 50 }) });
  const recent = (runs.data ?? []).filter((r) => r.status === 'succeeded').slice(0, RUNS);
  const pages = useQueries({
    queries: recent.map((r) => ({
      queryKey: ['observations', r.id, address],
      queryFn: () => get<ObservationsPage>('/observations', { run: r.id, host: address, limit: 5000 }),
    })),
  });
  const cells = new Map<string, Cell>();
  pages.forEach((p, i) => {
    for (const o of p.data?.items ?? []) {
      const k = `${o.proto}/${o.port}`;
      const c = cells.get(k) ?? { proto: o.proto, port: o.port, byRun: new Map() };
      c.byRun.set(recent[i]!.number, o);
      cells.set(k, c);
    }
  });
  const rows = [...cells.values()].sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
  const latest = (c: Cell) => recent.map((r) => c.byRun.get(r.number)).find(Boolean);
  const failed = pages.find((p) => p.error)?.error;
  return (
    <div className="grid2">
      <Section title={`Network view of ${address}`}>
        <ErrorBox error={runs.error ?? failed} />
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Ports of {address} across the last runs</caption>
            <thead>
              <tr>
                <th scope="col">Port</th>
                <th scope="col">Service</th>
                {recent.map((r) => (
                  <th scope="col" key={r.id}>
                    Run #{r.number}
                  </th>
                ))}
                <th scope="col">Banner and protocol data (latest)</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={3 + recent.length} className="muted">
                    No probed port of this address in the last runs.
                  </td>
                </tr>
              )}
              {rows.map((c) => {
                const o = latest(c);
                return (
                  <tr key={`${c.proto}/${c.port}`}>
                    <th scope="row">
                      {c.proto}/{c.port}
                    </th>
                    <td>{o?.service ?? '—'}</td>
                    {recent.map((r) => (
                      <td
                        key={r.id}
                        className={`state state-${(c.byRun.get(r.number)?.state ?? '').replace(/ /g, '-')}`}
                      >
                        {c.byRun.get(r.number)?.state ?? '—'}
                      </td>
                    ))}
                    <td>{o && <ProtocolDetails observation={o} />}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Section>
      <HostView address={address} />
    </div>
  );
}

function HostView({ address }: { address: string }) {
  const list = useQuery({
    queryKey: ['host-views', address],
    queryFn: () => get<{ items: HostViewSummary[] }>('/host-views', { address, limit: 1 }),
  });
  const id = list.data?.items[0]?.id;
  const detail = useQuery({
    queryKey: ['host-view', id],
    queryFn: () => get<HostViewDetail>(`/host-views/${id}`),
    enabled: !!id,
  });
  const listeners = (detail.data?.sockets ?? []).filter((s) => s.state === 'LISTENING' || s.proto === 'udp');
  return (
    <Section title="Host view (listener owners)">
      <ErrorBox error={list.error ?? detail.error} />
      {!id && !list.isPending && <p className="muted">No agent has pushed a host view for this address.</p>}
      {detail.data && (
        <>
          <p className="muted">
            {detail.data.hostname}, taken {formatTime(detail.data.takenAt)} by {detail.data.reportedBy}
          </p>
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Listeners on {detail.data.hostname}</caption>
              <thead>
                <tr>
                  <th scope="col">Listener</th>
                  <th scope="col">Process</th>
                  <th scope="col">Unit or container</th>
                  <th scope="col">User</th>
                </tr>
              </thead>
              <tbody>
                {listeners.map((s, i) => (
                  <tr key={`${s.proto}${s.localAddress}${s.localPort}${i}`}>
                    <td>
                      {s.proto} {s.localAddress}:{s.localPort}
                    </td>
                    <td>{s.process ? `${s.process} (${s.pid})` : '—'}</td>
                    <td>{s.unit ?? (s.container ? JSON.stringify(s.container) : '—')}</td>
                    <td>{s.user ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Section>
  );
}
