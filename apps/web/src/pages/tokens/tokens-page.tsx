import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';

import { api, get, type Role } from '../../api/client';
import type { TokenInfo } from '../../api/types';
import { DataTable } from '../../components/data-table';
import { ErrorBox, formatTime, Section } from '../../components/feedback';

const col = createColumnHelper<TokenInfo>();

/** API tokens: created with a role and shown once; revoked tokens get 401 from their next request. */
export function TokensPage() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: ['tokens'], queryFn: () => get<TokenInfo[]>('/tokens') });
  const revoke = useMutation({
    mutationFn: (id: string) => api('DELETE', `/tokens/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tokens'] }),
  });
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const create = useMutation({
    mutationFn: () => api<{ token: string; info: TokenInfo }>('POST', '/tokens', { name, role }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tokens'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const columns = [
    col.accessor('name', { header: 'Name' }),
    col.accessor('role', { header: 'Role' }),
    col.accessor('prefix', { header: 'Prefix', cell: (c) => <code>{c.getValue()}…</code> }),
    col.accessor('lastUsedAt', { header: 'Last used', cell: (c) => formatTime(c.getValue()) }),
    col.accessor('revokedAt', {
      header: 'State',
      cell: (c) => (c.getValue() ? `revoked ${formatTime(c.getValue())}` : 'active'),
    }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) =>
        c.row.original.revokedAt ? null : (
          <button
            type="button"
            className="danger"
            onClick={() => revoke.mutate(c.row.original.id)}
            aria-label={`Revoke token ${c.row.original.name}`}
          >
            Revoke
          </button>
        ),
    }),
  ];
  return (
    <>
      <h1>API tokens</h1>
      <Section title="Create a token">
        <form className="inline" onSubmit={submit}>
          <label htmlFor="t-name">Name</label>
          <input id="t-name" required value={name} onChange={(e) => setName(e.target.value)} />
          <label htmlFor="t-role">Role</label>
          <select id="t-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
          <button type="submit" disabled={create.isPending}>
            Create token
          </button>
        </form>
        <ErrorBox error={create.error} />
        {create.data && (
          <div role="status" className="notice">
            <p>Copy this token now; it is not shown again:</p>
            <code className="token" data-testid="new-token">
              {create.data.token}
            </code>
          </div>
        )}
      </Section>
      <Section title="Tokens">
        <ErrorBox error={list.error ?? revoke.error} />
        <DataTable caption="API tokens" columns={columns} rows={list.data ?? []} rowKey={(t) => t.id} />
      </Section>
    </>
  );
}
