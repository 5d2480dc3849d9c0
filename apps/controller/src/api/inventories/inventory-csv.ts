import type { InventoryInput } from '@fleetqry/contracts';

import type { ApiIssue } from '@fleetqry/contracts';

export const CSV_COLUMNS = ['address', 'name', 'tags', 'owner', 'groups', 'excludePorts'] as const;

/** RFC 4180 records (quoted fields, doubled quotes, CRLF or LF); blank lines are skipped. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      if (record.some((f) => f.trim() !== '')) records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  record.push(field);
  if (record.some((f) => f.trim() !== '')) records.push(record);
  return records;
}

/** Lists inside a cell: `dc;prod` or `dc prod` (a comma would need quoting in CSV). */
function cellList(cell: string | undefined): string[] | undefined {
  const items = (cell ?? '').split(/[;\s]+/).filter((s) => s !== '');
  return items.length ? items : undefined;
}

/**
 * A CSV of hosts (header row required: `address` plus any of name, tags, owner, groups, excludePorts) as the
 * targets of an inventory document. Unknown columns are errors naming them, not silently ignored.
 */
export function csvToTargets(text: string): { targets: InventoryInput['targets']; issues: ApiIssue[] } {
  const [header, ...rows] = parseCsvRecords(text.replace(/^\uFEFF/, ''));
  const issues: ApiIssue[] = [];
  if (!header) return { targets: [], issues: [{ path: 'csv', message: 'empty: a header row is required' }] };
  const columns = header.map((h) => h.trim());
  columns.forEach((c, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(c))
      issues.push({
        path: `csv.header[${i}]`,
        message: `unknown column "${c}" (known: ${CSV_COLUMNS.join(', ')})`,
      });
  });
  if (!columns.includes('address'))
    issues.push({ path: 'csv.header', message: 'an "address" column is required' });
  if (issues.length) return { targets: [], issues };
  const targets = rows.map((row, r) => {
    const cell = (name: string) => {
      const v = row[columns.indexOf(name)]?.trim();
      return v ? v : undefined;
    };
    if (row.length > columns.length)
      issues.push({
        path: `csv.line[${r + 2}]`,
        message: `${row.length} fields, the header has ${columns.length}`,
      });
    const tags = cellList(cell('tags'));
    const groups = cellList(cell('groups'));
    return {
      address: cell('address') ?? '',
      ...(cell('name') ? { name: cell('name') } : {}),
      tags: tags ?? [],
      ...(cell('owner') ? { owner: cell('owner') } : {}),
      ...(groups ? { groups } : {}),
      ...(cell('excludePorts') ? { excludePorts: cell('excludePorts') } : {}),
    };
  });
  return { targets, issues };
}
