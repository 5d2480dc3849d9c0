import type { Finding } from '../../api/types';
import { Link } from '../../router';

/** Evidence as the browser shows it: each field on its own line, nested values as JSON. */
export function Evidence({ evidence }: { evidence: Record<string, unknown> }) {
  const entries = Object.entries(evidence);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="evidence">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function FindingWhere({ finding }: { finding: Finding }) {
  return (
    <Link to={`/hosts?address=${encodeURIComponent(finding.address)}`}>
      {finding.address}
      {finding.host && finding.host !== finding.address ? ` (${finding.host})` : ''}
    </Link>
  );
}
