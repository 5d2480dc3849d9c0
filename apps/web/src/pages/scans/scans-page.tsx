import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { api, get } from '../../api/client';
import type { BuiltinGroup, Inventory, Page, ScanDefinition, ScheduleView } from '../../api/types';
import { Can } from '../../auth/principal';
import { ErrorBox, formatTime, Section } from '../../components/feedback';

/** Scan definitions with their schedule (cron, time zone) and the next times it fires. */
export function ScansPage() {
  const defs = useQuery({
    queryKey: ['scan-definitions'],
    queryFn: () => get<Page<ScanDefinition>>('/scan-definitions', { limit: 1000 }),
  });
  const inventories = useQuery({
    queryKey: ['inventories'],
    queryFn: () => get<Page<Inventory>>('/inventories', { limit: 1000 }),
  });
  const invName = (id: string | null) => inventories.data?.items.find((i) => i.id === id)?.name ?? id ?? '—';
  return (
    <>
      <h1>Scan definitions</h1>
      <Can role="operator">
        <ScanForm inventories={inventories.data?.items ?? []} />
      </Can>
      <Section title="Definitions">
        <ErrorBox error={defs.error} />
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Scan definitions</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Inventory</th>
                <th scope="col">Ports and groups</th>
                <th scope="col">Policy</th>
                <th scope="col">Schedule</th>
                <th scope="col">Next runs</th>
              </tr>
            </thead>
            <tbody>
              {(defs.data?.items ?? []).map((d) => (
                <tr key={d.id}>
                  <td>{d.name}</td>
                  <td>{invName(d.inventoryId)}</td>
                  <td>
                    {[
                      d.tcpPorts && `tcp ${d.tcpPorts}`,
                      d.udpPorts && `udp ${d.udpPorts}`,
                      ...d.serviceGroups,
                    ]
                      .filter(Boolean)
                      .join('; ') || 'the inventory’s'}
                  </td>
                  <td>
                    {d.policy}
                    {d.policyVersion ? ` v${d.policyVersion}` : ''}
                  </td>
                  <td>
                    {d.schedule ? (
                      <>
                        <code>{d.schedule}</code> ({d.timezone}){d.enabled ? '' : ', disabled'}
                      </>
                    ) : (
                      'manual'
                    )}
                  </td>
                  <td>{d.schedule && d.enabled ? <NextFires id={d.id} /> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  );
}

function NextFires({ id }: { id: string }) {
  const q = useQuery({
    queryKey: ['schedule', id],
    queryFn: () => get<ScheduleView>(`/scan-definitions/${id}/schedule`, { count: 3 }),
  });
  if (q.error) return <ErrorBox error={q.error} />;
  return (
    <ul className="plain" data-testid="next-fires">
      {(q.data?.next ?? []).map((t) => (
        <li key={t}>{formatTime(t)}</li>
      ))}
    </ul>
  );
}

function ScanForm({ inventories }: { inventories: Inventory[] }) {
  const client = useQueryClient();
  const groups = useQuery({
    queryKey: ['groups-builtin'],
    queryFn: () => get<BuiltinGroup[]>('/service-groups/builtin'),
  });
  const [name, setName] = useState('');
  const [inventoryId, setInventory] = useState('');
  const [tcp, setTcp] = useState('');
  const [udp, setUdp] = useState('');
  const [group, setGroup] = useState('');
  const [schedule, setSchedule] = useState('');
  const [timezone, setTimezone] = useState('UTC');
  const create = useMutation({
    mutationFn: () =>
      api<ScanDefinition>('POST', '/scan-definitions', {
        name,
        inventoryId: inventoryId || inventories[0]?.id,
        ...(tcp ? { tcpPorts: tcp } : {}),
        ...(udp ? { udpPorts: udp } : {}),
        ...(group ? { serviceGroups: [group] } : {}),
        ...(schedule ? { schedule, timezone } : {}),
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['scan-definitions'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Section title="New scan definition">
      <form className="grid-form" onSubmit={submit}>
        <label htmlFor="sd-name">Name</label>
        <input id="sd-name" required value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="sd-inventory">Inventory</label>
        <select id="sd-inventory" value={inventoryId} onChange={(e) => setInventory(e.target.value)}>
          {inventories.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>
        <label htmlFor="sd-tcp">TCP ports</label>
        <input id="sd-tcp" placeholder="22,23,80" value={tcp} onChange={(e) => setTcp(e.target.value)} />
        <label htmlFor="sd-udp">UDP ports</label>
        <input id="sd-udp" placeholder="161" value={udp} onChange={(e) => setUdp(e.target.value)} />
        <label htmlFor="sd-group">Service group</label>
        <select id="sd-group" value={group} onChange={(e) => setGroup(e.target.value)}>
          <option value="">none</option>
          {(groups.data ?? []).map((g) => (
            <option key={g.name} value={g.name}>
              {g.title}
            </option>
          ))}
        </select>
        <label htmlFor="sd-cron">Schedule (cron)</label>
        <input
          id="sd-cron"
          placeholder="0 3 * * *"
          value={schedule}
          onChange={(e) => setSchedule(e.target.value)}
        />
        <label htmlFor="sd-tz">Time zone</label>
        <input id="sd-tz" value={timezone} onChange={(e) => setTimezone(e.target.value)} />
        <div />
        <button type="submit" disabled={create.isPending}>
          Create scan definition
        </button>
      </form>
      <ErrorBox error={create.error} />
    </Section>
  );
}
