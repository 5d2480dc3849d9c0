import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { get } from '../../api/client';
import type { AuditEntry } from '../../api/types';
import { ErrorBox, formatTime, Section } from '../../components/feedback';
import { useSearchParams } from '../../router';

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
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Audit log entries</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {(log.data ?? []).map((e) => (
                <tr key={e.id}>
                  <td>{formatTime(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>{e.action}</td>
                  <td>{e.target ?? '—'}</td>
                  <td>{e.outcome}</td>
                  <td>{e.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  );
}
