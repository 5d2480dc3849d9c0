import type { LocalSocket } from '@fleetqry/contracts';
import { csvField, type CsvValue } from '@fleetqry/contracts';

const COLUMNS = [
  'pid',
  'process',
  'proto',
  'family',
  'localAddress',
  'localPort',
  'remoteAddress',
  'remotePort',
  'state',
  'user',
  'uid',
  'unit',
  'container',
  'cmdline',
  'modules',
  'notes',
] as const;

/** One CSV row per socket (same quoting as fleet mode's CSV); modules as `path@base` joined with `;`. */
export function localCsv(sockets: readonly LocalSocket[]): string {
  const rows = sockets.map((s) => {
    const values: Partial<Record<(typeof COLUMNS)[number], CsvValue>> = {
      ...s,
      container: s.container ? `${s.container.runtime}:${s.container.id}` : undefined,
      modules: s.modules?.map((m) => `${m.path}@${m.base}`).join(';'),
      notes: s.notes?.join('; '),
    };
    return COLUMNS.map((c) => csvField(values[c])).join(',');
  });
  return `${[COLUMNS.join(','), ...rows].join('\n')}\n`;
}
