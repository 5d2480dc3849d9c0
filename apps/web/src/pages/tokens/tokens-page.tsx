import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { api, get, type Role } from '../../api/client';
import type { TokenInfo } from '../../api/types';
import { ErrorBox, formatTime, Section } from '../../components/feedback';

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
        <div className="table-wrap">
          <table>
            <caption className="sr-only">API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Prefix</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {(list.data ?? []).map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{t.role}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{formatTime(t.lastUsedAt)}</td>
                  <td>{t.revokedAt ? `revoked ${formatTime(t.revokedAt)}` : 'active'}</td>
                  <td>
                    {!t.revokedAt && (
                      <button
                        type="button"
                        className="danger"
                        onClick={() => revoke.mutate(t.id)}
                        aria-label={`Revoke token ${t.name}`}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  );
}
