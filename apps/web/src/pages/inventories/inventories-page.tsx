import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { api, get, withQuery } from '../../api/client';
import type { Inventory, Page } from '../../api/types';
import { Can } from '../../auth/principal';
import { ErrorBox, formatTime, Section } from '../../components/feedback';

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
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Inventories</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Owner</th>
                <th scope="col" className="num">
                  Entries
                </th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {(list.data?.items ?? []).map((i) => (
                <tr key={i.id}>
                  <td>{i.name}</td>
                  <td>{i.owner ?? '—'}</td>
                  <td className="num">{i.hostCount}</td>
                  <td>{formatTime(i.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
