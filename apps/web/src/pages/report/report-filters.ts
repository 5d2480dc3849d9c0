import type { Severity } from '../../api/types';
import { SEVERITIES } from '../../components/severity';

/** The report's filters, as kept in the URL (`?run=7&rule=snmp.*&min-severity=high&status=new&host=…`). */
export interface ReportFilters {
  run: string;
  rule: string[];
  minSeverity: Severity | '';
  status: string[];
  tag: string[];
  host: string[];
  page: number;
}

const list = (v: string | null) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

export function readFilters(params: URLSearchParams): ReportFilters {
  const sev = params.get('min-severity') ?? '';
  return {
    run: params.get('run') || 'latest',
    rule: list(params.get('rule')),
    minSeverity: (SEVERITIES as readonly string[]).includes(sev) ? (sev as Severity) : '',
    status: list(params.get('status')),
    tag: list(params.get('tag')),
    host: list(params.get('host')),
    page: Math.max(1, Number(params.get('page')) || 1),
  };
}

export function toParams(f: ReportFilters): Record<string, string | string[] | undefined> {
  return {
    run: f.run === 'latest' ? undefined : f.run,
    rule: f.rule,
    'min-severity': f.minSeverity || undefined,
    status: f.status,
    tag: f.tag,
    host: f.host,
    page: f.page > 1 ? String(f.page) : undefined,
  };
}

/** The same filters as the API's query (`/findings` takes the severities, `/reports` the minimum). */
export function apiFilters(f: ReportFilters) {
  const severity = f.minSeverity ? SEVERITIES.slice(0, SEVERITIES.indexOf(f.minSeverity) + 1) : [];
  return { rule: f.rule, status: f.status, tag: f.tag, host: f.host, severity };
}

export function reportFilters(f: ReportFilters) {
  return {
    rule: f.rule,
    status: f.status,
    tag: f.tag,
    host: f.host,
    'min-severity': f.minSeverity || undefined,
  };
}
