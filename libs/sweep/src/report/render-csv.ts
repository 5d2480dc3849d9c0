import { csvField, type Report } from '@fleetqry/contracts';

const COLUMNS = [
  'rule',
  'severity',
  'status',
  'host',
  'address',
  'proto',
  'port',
  'title',
  'evidence',
  'firstSeen',
  'lastSeen',
  'tags',
  'owner',
  'waiver',
] as const;

/** One row per finding; evidence as JSON in one cell. */
export function renderCsv(report: Report): string {
  const rows = report.violations.map((f) =>
    [
      f.rule,
      f.severity,
      f.status,
      f.host,
      f.address,
      f.proto,
      f.port,
      f.title,
      JSON.stringify(f.evidence),
      f.firstSeen,
      f.lastSeen,
      f.tags.join(' '),
      f.owner,
      f.waiver ? `${f.waiver.owner} until ${f.waiver.expiresAt}` : undefined,
    ]
      .map(csvField)
      .join(','),
  );
  return `${[COLUMNS.join(','), ...rows].join('\n')}\n`;
}
