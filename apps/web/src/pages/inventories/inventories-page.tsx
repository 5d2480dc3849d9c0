import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';

import { api, get, withQuery } from '../../api/client';
import type { Inventory, Page } from '../../api/types';
import { Can } from '../../auth/principal';
import { DataTable } from '../../components/data-table';
import { ErrorBox, formatTime, Section } from '../../components/feedback';

const col = createColumnHelper<Inventory>();
const columns = [
  col.accessor('name', { header: 'Name' }),
  col.accessor('owner', { header: 'Owner', cell: (c) => c.getValue() ?? '—' }),
  col.accessor('hostCount', { header: 'Entries' }),
  col.accessor('updatedAt', { header: 'Updated', cell: (c) => formatTime(c.getValue()) }),
];

/** Inventories: the list, and an upload of a YAML inventory or a CSV of hosts. */
export function InventoriesPage() {
  const list = useQuery({
    queryKey: ['inventories'],
    queryFn: () => get<Page<Inventory>>('/inventories', { limit: 1000 }),
  });
  return (
    <>
      <h1>Inventories</h1>
      <Can role="operator">
        <Upload />
      </Can>
      <Section title="Inventories">
        <ErrorBox error={list.error} />
        <DataTable
          caption="Inventories"
          columns={columns}
          rows={list.data?.items ?? []}
          rowKey={(i) => i.id}
        />
      </Section>
    </>
  );
}

function Upload() {
  const client = useQueryClient();
  const [format, setFormat] = useState<'yaml' | 'csv'>('yaml');
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [replace, setReplace] = useState(false);
  const upload = useMutation({
    mutationFn: () =>
      api<Inventory>(
        'POST',
        withQuery('/inventories/import', {
          format,
          name: name || undefined,
          replace: replace ? 'true' : undefined,
        }),
        text,
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['inventories'] }),
  });
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setText(await file.text());
    if (file.name.endsWith('.csv')) setFormat('csv');
    if (!name) setName(file.name.replace(/\.(ya?ml|csv)$/, ''));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    upload.mutate();
  };
  return (
    <Section title="Upload an inventory">
      <form className="grid-form" onSubmit={submit}>
        <label htmlFor="inv-file">File (YAML or CSV)</label>
        <input
          id="inv-file"
          type="file"
          accept=".yaml,.yml,.csv,text/csv,application/yaml"
          onChange={(e) => void onFile(e.target.files?.[0])}
        />
        <label htmlFor="inv-format">Format</label>
        <select id="inv-format" value={format} onChange={(e) => setFormat(e.target.value as 'yaml' | 'csv')}>
          <option value="yaml">YAML</option>
          <option value="csv">CSV</option>
        </select>
        <label htmlFor="inv-name">Name</label>
        <input id="inv-name" value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="inv-text">Content</label>
        <textarea id="inv-text" rows={8} required value={text} onChange={(e) => setText(e.target.value)} />
        <label htmlFor="inv-replace">Replace an inventory of that name</label>
        <input
          id="inv-replace"
          type="checkbox"
          checked={replace}
          onChange={(e) => setReplace(e.target.checked)}
        />
        <div />
        <button type="submit" disabled={upload.isPending || text === ''}>
          Upload inventory
        </button>
      </form>
      <ErrorBox error={upload.error} />
      {upload.data && (
        <p role="status">
          Stored {upload.data.name} ({upload.data.hostCount} entries).
        </p>
      )}
    </Section>
  );
}
