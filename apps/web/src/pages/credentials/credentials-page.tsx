import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';

import { api, get } from '../../api/client';
import type { Credential } from '../../api/types';
import { DataTable } from '../../components/data-table';
import { ErrorBox, formatTime, Section } from '../../components/feedback';

const col = createColumnHelper<Credential>();

/** Credentials are write-only: the secret goes in once and is never shown or returned again. */
export function CredentialsPage() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: ['credentials'], queryFn: () => get<Credential[]>('/credentials') });
  const remove = useMutation({
    mutationFn: (id: string) => api('DELETE', `/credentials/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['credentials'] }),
  });
  const columns = [
    col.accessor('name', { header: 'Name' }),
    col.accessor('kind', { header: 'Kind' }),
    col.accessor('principal', { header: 'Principal', cell: (c) => c.getValue() ?? '—' }),
    col.accessor('id', { header: 'Id (for inventories)', cell: (c) => <code>{c.getValue()}</code> }),
    col.accessor('createdAt', { header: 'Created', cell: (c) => formatTime(c.getValue()) }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) => (
        <button
          type="button"
          className="danger"
          onClick={() => remove.mutate(c.row.original.id)}
          aria-label={`Delete credential ${c.row.original.name}`}
        >
          Delete
        </button>
      ),
    }),
  ];
  return (
    <>
      <h1>Credentials</h1>
      <CredentialForm />
      <Section title="Stored credentials">
        <ErrorBox error={list.error ?? remove.error} />
        <DataTable
          caption="Stored credentials"
          columns={columns}
          rows={list.data ?? []}
          rowKey={(c) => c.id}
        />
      </Section>
    </>
  );
}

function CredentialForm() {
  const client = useQueryClient();
  const [kind, setKind] = useState<'snmp-community' | 'ldap-bind'>('snmp-community');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const [principal, setPrincipal] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api<Credential>('POST', '/credentials', { kind, name, secret, ...(principal ? { principal } : {}) }),
    onSuccess: () => {
      setSecret('');
      return client.invalidateQueries({ queryKey: ['credentials'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Section title="Add a credential">
      <form className="grid-form" onSubmit={submit} autoComplete="off">
        <label htmlFor="c-kind">Kind</label>
        <select id="c-kind" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          <option value="snmp-community">SNMP community</option>
          <option value="ldap-bind">LDAP bind</option>
        </select>
        <label htmlFor="c-name">Name</label>
        <input id="c-name" required value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="c-principal">Principal (e.g. bind DN)</label>
        <input id="c-principal" value={principal} onChange={(e) => setPrincipal(e.target.value)} />
        <label htmlFor="c-secret">Secret</label>
        <input
          id="c-secret"
          type="password"
          required
          autoComplete="new-password"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
        <div />
        <button type="submit" disabled={create.isPending}>
          Store credential
        </button>
      </form>
      <ErrorBox error={create.error} />
      {create.data && <p role="status">Stored {create.data.name}; the secret cannot be read back.</p>}
    </Section>
  );
}
