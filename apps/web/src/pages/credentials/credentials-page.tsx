import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import type { SnmpV3AuthProtocol, SnmpV3PrivProtocol } from '@fleetqry/contracts';
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

// Types only from the contracts (checked against them), so nothing of zod is bundled.
const AUTH: readonly SnmpV3AuthProtocol[] = ['sha256', 'sha384', 'sha512', 'sha224', 'sha', 'md5'];
const PRIV: readonly SnmpV3PrivProtocol[] = ['aes', 'aes256b', 'aes256r', 'des'];
type Kind = Credential['kind'];

function CredentialForm() {
  const client = useQueryClient();
  const [kind, setKind] = useState<Kind>('snmp-community');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const [principal, setPrincipal] = useState('');
  const [v3, setV3] = useState({ authProtocol: 'sha256', authKey: '', privProtocol: 'aes', privKey: '' });
  const body = () => {
    if (kind !== 'snmp-v3-user') return { kind, name, secret, ...(principal ? { principal } : {}) };
    // A protocol without its passphrase is left out (noAuthNoPriv, authNoPriv); the API names a bad field.
    return {
      kind,
      name,
      user: principal,
      ...(v3.authKey ? { authProtocol: v3.authProtocol, authKey: v3.authKey } : {}),
      ...(v3.privKey ? { privProtocol: v3.privProtocol, privKey: v3.privKey } : {}),
    };
  };
  const create = useMutation({
    mutationFn: () => api<Credential>('POST', '/credentials', body()),
    onSuccess: () => {
      setSecret('');
      setV3((s) => ({ ...s, authKey: '', privKey: '' }));
      return client.invalidateQueries({ queryKey: ['credentials'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const passphrase = (id: string, label: string, field: 'authKey' | 'privKey') => (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="password"
        autoComplete="new-password"
        value={v3[field]}
        onChange={(e) => setV3((s) => ({ ...s, [field]: e.target.value }))}
      />
    </>
  );
  return (
    <Section title="Add a credential">
      <form className="grid-form" onSubmit={submit} autoComplete="off">
        <label htmlFor="c-kind">Kind</label>
        <select id="c-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          <option value="snmp-community">SNMP community</option>
          <option value="snmp-v3-user">SNMPv3 user</option>
          <option value="ldap-bind">LDAP bind</option>
        </select>
        <label htmlFor="c-name">Name</label>
        <input id="c-name" required value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="c-principal">
          {kind === 'snmp-v3-user' ? 'User name' : 'Principal (e.g. bind DN)'}
        </label>
        <input
          id="c-principal"
          required={kind === 'snmp-v3-user'}
          value={principal}
          onChange={(e) => setPrincipal(e.target.value)}
        />
        {kind === 'snmp-v3-user' ? (
          <>
            <label htmlFor="c-auth">Authentication</label>
            <select
              id="c-auth"
              value={v3.authProtocol}
              onChange={(e) => setV3((s) => ({ ...s, authProtocol: e.target.value }))}
            >
              {AUTH.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
            {passphrase('c-auth-key', 'Authentication passphrase (empty: noAuthNoPriv)', 'authKey')}
            <label htmlFor="c-priv">Privacy</label>
            <select
              id="c-priv"
              value={v3.privProtocol}
              onChange={(e) => setV3((s) => ({ ...s, privProtocol: e.target.value }))}
            >
              {PRIV.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
            {passphrase('c-priv-key', 'Privacy passphrase (empty: no privacy)', 'privKey')}
          </>
        ) : (
          <>
            <label htmlFor="c-secret">Secret</label>
            <input
              id="c-secret"
              type="password"
              required
              autoComplete="new-password"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
            />
          </>
        )}
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
