import type { ApiIssue, InventoryInput } from '@fleetqry/contracts';
import { CsvError, parse } from 'csv-parse/sync';

const CSV_COLUMNS = ['address', 'name', 'tags', 'owner', 'groups', 'excludePorts'] as const;

/** One CSV record with the line it starts on (1-based), for errors that name the line. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * RFC 4180 records through csv-parse (quoted fields, doubled quotes, CRLF or LF, a BOM); blank lines are
 * skipped. Malformed input (an unterminated quote, a stray quote inside an unquoted field) is an error naming
 * the line, never a record that silently swallows the rows after it.
 */
export function parseCsvRecords(text: string): { records: CsvRecord[]; issues: ApiIssue[] } {
  const records: CsvRecord[] = [];
  let lastLine = 0;
  try {
    parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      // context.lines is the line a record ends on; it spans as many lines as its quoted newlines.
      on_record: (fields, context) => {
        lastLine = context.lines;
        records.push({ line: context.lines - newlines(fields), fields });
        return fields;
      },
    });
    return { records, issues: [] };
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = error.code === 'CSV_QUOTE_NOT_CLOSED' ? nextRecordLine(text, lastLine) : errorLine(error);
    return { records: [], issues: [{ path: `csv.line[${line}]`, message: csvMessage(error) }] };
  }
}

function newlines(record: string[]): number {
  return record.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
}

/**
 * An unterminated quote runs to the end of the file, so csv-parse reports the last line; the record that
 * opened it starts at the first non-blank line after the last complete record.
 */
function nextRecordLine(text: string, lastRecordEnd: number): number {
  const lines = text.split(/\r\n|\r|\n/);
  let line = lastRecordEnd + 1;
  while (line < lines.length && lines[line - 1]!.trim() === '') line++;
  return line;
}

function errorLine(error: CsvError): number {
  return (error as CsvError & { lines?: number }).lines ?? 1;
}

function csvMessage(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed (unterminated "): nothing was imported';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside a field must be doubled ("") and the field quoted: nothing was imported';
    default:
      return `malformed CSV (${error.message}): nothing was imported`;
  }
}

/** Lists inside a cell: `dc;prod` or `dc prod` (a comma would need quoting in CSV). */
function cellList(cell: string | undefined): string[] | undefined {
  const items = (cell ?? '').split(/[;\s]+/).filter((s) => s !== '');
  return items.length ? items : undefined;
}

/**
 * A CSV of hosts (header row required: `address` plus any of name, tags, owner, groups, excludePorts) as the
 * targets of an inventory document. Unknown columns, malformed records and rows with more fields than the
 * header are errors naming the line (or column); nothing is imported from a file with any of them.
 */
export function csvToTargets(text: string): { targets: InventoryInput['targets']; issues: ApiIssue[] } {
  const parsed = parseCsvRecords(text);
  if (parsed.issues.length) return { targets: [], issues: parsed.issues };
  const [header, ...rows] = parsed.records;
  const issues: ApiIssue[] = [];
  if (!header) return { targets: [], issues: [{ path: 'csv', message: 'empty: a header row is required' }] };
  const columns = header.fields.map((h) => h.trim());
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
  const targets = rows.map(({ line, fields }) => {
    const cell = (name: string) => {
      const v = fields[columns.indexOf(name)]?.trim();
      return v ? v : undefined;
    };
    if (fields.length > columns.length)
      issues.push({
        path: `csv.line[${line}]`,
        message: `${fields.length} fields, the header has ${columns.length}`,
      });
    if (!cell('address'))
      issues.push({ path: `csv.line[${line}].address`, message: 'an address is required' });
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
  return { targets: issues.length ? [] : targets, issues };
}
