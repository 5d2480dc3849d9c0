/**
 * One CSV cell (RFC 4180 quoting), with a leading quote mark against spreadsheet formula injection:
 * banners and evidence come from the scanned hosts, so a cell must never start a formula.
 */
export type CsvValue = string | number | bigint | boolean | null | undefined;

export function csvField(value: CsvValue): string {
  if (value === undefined || value === null) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
