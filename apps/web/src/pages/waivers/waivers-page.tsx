import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';

import { api, get } from '../../api/client';
import type { Waiver } from '../../api/types';
import { Can, useCan } from '../../auth/principal';
import { DataTable } from '../../components/data-table';
import { ErrorBox, formatTime, Section } from '../../components/feedback';
import { useSearchParams } from '../../router';

const col = createColumnHelper<Waiver>();

/** Waivers: accepted risks with an owner, a reason and an expiry; applied from the next evaluation on. */
export function WaiversPage() {
  const client = useQueryClient();
  const admin = useCan('admin');
  const waivers = useQuery({ queryKey: ['waivers'], queryFn: () => get<Waiver[]>('/waivers') });
  const expire = useMutation({
    mutationFn: (id: string) => api('DELETE', `/waivers/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['waivers'] }),
  });
  const columns = [
    col.accessor('rule', { header: 'Rule', cell: (c) => <span className="rule-id">{c.getValue()}</span> }),
    col.display({
      id: 'scope',
      header: 'Scope',
      cell: (c) => c.row.original.hostPattern ?? c.row.original.findingKey ?? '—',
    }),
    col.accessor('owner', { header: 'Owner' }),
    col.accessor('reason', { header: 'Reason' }),
    col.accessor('expiresAt', { header: 'Expires', cell: (c) => formatTime(c.getValue()) }),
    col.display({
      id: 'state',
      header: 'State',
      cell: (c) =>
        c.row.original.revokedAt
          ? `expired ${formatTime(c.row.original.revokedAt)}`
          : Date.parse(c.row.original.expiresAt) < Date.now()
            ? 'expired'
            : 'active',
    }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) =>
        admin && !c.row.original.revokedAt && Date.parse(c.row.original.expiresAt) > Date.now() ? (
          <button
            type="button"
            className="danger"
            onClick={() => expire.mutate(c.row.original.id)}
            aria-label={`Expire the waiver of ${c.row.original.rule} for ${c.row.original.hostPattern ?? c.row.original.findingKey}`}
          >
            Expire now
          </button>
        ) : null,
    }),
  ];
  return (
    <>
      <h1>Waivers</h1>
      <Can role="admin">
        <WaiverForm />
      </Can>
      <Section title="All waivers">
        <ErrorBox error={waivers.error ?? expire.error} />
        <DataTable caption="Waivers" columns={columns} rows={waivers.data ?? []} rowKey={(w) => w.id} />
      </Section>
    </>
  );
}

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function WaiverForm() {
  const client = useQueryClient();
  const [params] = useSearchParams();
  const [rule, setRule] = useState(params.get('rule') ?? '');
  const [address, setAddress] = useState(params.get('address') ?? '');
  const [owner, setOwner] = useState('');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState(inDays(90));
  const create = useMutation({
    mutationFn: () =>
      api<Waiver>('POST', '/waivers', {
        rule,
        ...(address.includes('/') ? { cidr: address } : { address }),
        owner,
        reason,
        expiresAt: new Date(`${expires}T23:59:59Z`).toISOString(),
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['waivers'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Section title="Create a waiver">
      <form className="grid-form" onSubmit={submit}>
        <label htmlFor="w-rule">Rule</label>
        <input id="w-rule" required value={rule} onChange={(e) => setRule(e.target.value)} />
        <label htmlFor="w-address">Address or CIDR</label>
        <input id="w-address" required value={address} onChange={(e) => setAddress(e.target.value)} />
        <label htmlFor="w-owner">Owner</label>
        <input id="w-owner" required value={owner} onChange={(e) => setOwner(e.target.value)} />
        <label htmlFor="w-reason">Reason</label>
        <textarea id="w-reason" required value={reason} onChange={(e) => setReason(e.target.value)} />
        <label htmlFor="w-expires">Expires on</label>
        <input
          id="w-expires"
          type="date"
          required
          value={expires}
          min={inDays(1)}
          onChange={(e) => setExpires(e.target.value)}
        />
        <div />
        <button type="submit" disabled={create.isPending}>
          Create waiver
        </button>
      </form>
      <ErrorBox error={create.error} />
      {create.data && <p role="status">Waiver created; it applies from the next run's evaluation on.</p>}
    </Section>
  );
}
