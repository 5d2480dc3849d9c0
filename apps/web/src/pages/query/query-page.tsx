import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { api, get } from '../../api/client';
import type { BuiltinGroup, QueryResult, ServiceGroup } from '../../api/types';
import { ErrorBox, Section } from '../../components/feedback';
import { ProtocolDetails } from '../../components/protocol-details';

type Mode = 'group' | 'ports';

/**
 * PortQryUI in the browser: a target and one of PortQryUI's predefined services (or a custom group, or
 * ports); a worker runs it and the page shows PortQry's own text and the structured result.
 */
export function QueryPage() {
  const builtin = useQuery({
    queryKey: ['groups-builtin'],
    queryFn: () => get<BuiltinGroup[]>('/service-groups/builtin'),
  });
  const custom = useQuery({ queryKey: ['groups'], queryFn: () => get<ServiceGroup[]>('/service-groups') });
  const [target, setTarget] = useState('');
  const [mode, setMode] = useState<Mode>('group');
  const [group, setGroup] = useState('domains-and-trusts');
  const [ports, setPorts] = useState('80');
  const [protocol, setProtocol] = useState<'tcp' | 'udp' | 'both'>('tcp');
  const run = useMutation({
    mutationFn: () =>
      api<QueryResult>('POST', '/queries', {
        target: target.trim(),
        ...(mode === 'group' ? { group } : { ports, protocol }),
      }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run.mutate();
  };
  const chosen = builtin.data?.find((g) => g.name === group);
  return (
    <>
      <h1>Query</h1>
      <Section title="PortQry query">
        <form className="grid-form" onSubmit={submit}>
          <label htmlFor="q-target">Target (address or name)</label>
          <input
            id="q-target"
            required
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            placeholder="127.30.0.12"
          />
          <fieldset className="span2">
            <legend>What to query</legend>
            <label className="check">
              <input type="radio" name="mode" checked={mode === 'group'} onChange={() => setMode('group')} />{' '}
              Predefined or custom service
            </label>
            <label className="check">
              <input type="radio" name="mode" checked={mode === 'ports'} onChange={() => setMode('ports')} />{' '}
              Ports
            </label>
          </fieldset>
          {mode === 'group' ? (
            <>
              <label htmlFor="q-group">Service to query</label>
              <select
                id="q-group"
                value={group}
                onChange={(e) => setGroup(e.target.value)}
                aria-describedby="q-group-ports"
              >
                <optgroup label="PortQryUI services">
                  {(builtin.data ?? []).map((g) => (
                    <option key={g.name} value={g.name}>
                      {g.title}
                    </option>
                  ))}
                </optgroup>
                {(custom.data ?? []).length > 0 && (
                  <optgroup label="Custom groups">
                    {(custom.data ?? []).map((g) => (
                      <option key={g.id} value={g.name}>
                        {g.name}
                      </option>
                    ))}
                  </optgroup>
                )}
              </select>
              <p id="q-group-ports" className="muted small span2">
                {chosen
                  ? `${chosen.description}. ${chosen.tcp ? `TCP ${chosen.tcp}` : ''}${chosen.tcp && chosen.udp ? '; ' : ''}${chosen.udp ? `UDP ${chosen.udp}` : ''}`
                  : ''}
              </p>
            </>
          ) : (
            <>
              <label htmlFor="q-ports">Ports</label>
              <input
                id="q-ports"
                required
                value={ports}
                onChange={(e) => setPorts(e.target.value)}
                placeholder="80,443 or ldap"
              />
              <label htmlFor="q-proto">Protocol</label>
              <select
                id="q-proto"
                value={protocol}
                onChange={(e) => setProtocol(e.target.value as typeof protocol)}
              >
                <option value="tcp">TCP</option>
                <option value="udp">UDP</option>
                <option value="both">Both</option>
              </select>
            </>
          )}
          <div />
          <button type="submit" disabled={run.isPending || target.trim() === ''}>
            {run.isPending ? 'Querying…' : 'Query'}
          </button>
        </form>
        <ErrorBox error={run.error} />
      </Section>
      {run.data && <QueryOutput result={run.data} />}
    </>
  );
}

function QueryOutput({ result }: { result: QueryResult }) {
  const states = new Map<string, number>();
  for (const o of result.observations) states.set(o.state, (states.get(o.state) ?? 0) + 1);
  return (
    <div className="grid2">
      <Section title="PortQry output">
        <p className="muted">
          {result.selection} on {result.target} ({result.address}), {(result.durationMs / 1000).toFixed(1)} s
        </p>
        <pre className="portqry" data-testid="portqry-text" tabIndex={0} aria-label="PortQry output">
          {result.text}
        </pre>
      </Section>
      <Section title="Structured result">
        <p className="muted">
          {result.observations.length} port(s):{' '}
          {[...states.entries()].map(([state, n]) => `${n} ${state}`).join(', ')}
        </p>
        <div className="table-wrap">
          <table data-testid="query-table">
            <caption className="sr-only">Ports queried</caption>
            <thead>
              <tr>
                <th scope="col">Port</th>
                <th scope="col">Service</th>
                <th scope="col">State</th>
                <th scope="col">Reason</th>
                <th scope="col">Protocol data</th>
              </tr>
            </thead>
            <tbody>
              {result.observations.map((o) => (
                <tr key={`${o.proto}/${o.port}`}>
                  <th scope="row">
                    {o.proto}/{o.port}
                  </th>
                  <td>{o.service ?? '—'}</td>
                  <td className={`state state-${o.state.replace(/ /g, '-')}`}>{o.state}</td>
                  <td>{o.reason}</td>
                  <td>
                    <ProtocolDetails observation={o} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {result.errors.length > 0 && (
          <ul className="error">
            {result.errors.map((e) => (
              <li key={`${e.proto}${e.port}`}>
                {e.proto}/{e.port}: {e.error}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
