// Runtime values from libs/contracts (its package is side-effect free, so only these are bundled).
export { SEVERITIES, SEVERITY_COLORS } from '@fleetqry/contracts';
import type { Severity } from '../api/types';

export const STATUSES = ['new', 'persisting', 'resolved', 'waived'] as const;

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`sev sev-${severity}`}>{severity}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}
