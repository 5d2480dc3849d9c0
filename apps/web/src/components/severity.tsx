import type { Severity } from '../api/types';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const STATUSES = ['new', 'persisting', 'resolved', 'waived'] as const;

/** Same colours as the HTML report (libs/sweep), contrast ≥ 4.5:1 with white text. */
export const SEVERITY_COLORS: Record<Severity, string> = {
  critical: '#8b0000',
  high: '#c2410c',
  medium: '#a16207',
  low: '#1d4ed8',
  info: '#4b5563',
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`sev sev-${severity}`}>{severity}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}
