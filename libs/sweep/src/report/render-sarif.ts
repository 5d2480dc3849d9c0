import type { Finding, Report, Severity } from '@fleetqry/contracts';

/** SARIF 2.1.0 levels: what code-scanning dashboards sort and gate on. */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub's security-severity scale (0-10), so dashboards rank network findings like code findings. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

function location(f: Finding) {
  const name = f.proto && f.port ? `${f.address}:${f.port}/${f.proto}` : f.address;
  return {
    logicalLocations: [
      { name, fullyQualifiedName: f.host !== f.address ? `${f.host}/${name}` : name, kind: 'resource' },
    ],
  };
}

/**
 * SARIF 2.1.0: one run, the policy's rules as reportingDescriptors, one result per open finding
 * (resolved ones are left out; waived ones carry a suppression). Locations are logical (host:port).
 */
export function renderSarif(report: Report, toolVersion: string): string {
  const findings = report.violations.filter((f) => f.status !== 'resolved');
  const rules = [...new Map(findings.map((f) => [f.rule, f])).values()].map((f) => ({
    id: f.rule,
    shortDescription: { text: f.title },
    defaultConfiguration: { level: LEVEL[f.severity] },
    properties: {
      severity: f.severity,
      'security-severity': SECURITY_SEVERITY[f.severity],
      tags: ['network', 'compliance'],
    },
    ...(f.references?.length ? { helpUri: referenceUri(f.references[0]!) } : {}),
  }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'fleetqry', version: toolVersion, rules } },
        automationDetails: { id: `fleetqry/${report.run.scan ?? 'scan'}/${report.run.number}` },
        results: findings.map((f) => ({
          ruleId: f.rule,
          level: LEVEL[f.severity],
          message: { text: `${f.title} (${f.address}${f.port ? ` ${f.proto}/${f.port}` : ''})` },
          locations: [location(f)],
          partialFingerprints: { fleetqryFindingKey: f.key },
          properties: {
            status: f.status,
            severity: f.severity,
            evidence: f.evidence,
            firstSeen: f.firstSeen,
            lastSeen: f.lastSeen,
            tags: f.tags,
          },
          ...(f.waiver
            ? {
                suppressions: [
                  {
                    kind: 'external',
                    status: 'accepted',
                    justification: `${f.waiver.reason} (${f.waiver.owner}, until ${f.waiver.expiresAt})`,
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function referenceUri(ref: string): string {
  return /^CVE-\d{4}-\d+$/.test(ref) ? `https://www.cve.org/CVERecord?id=${ref}` : ref;
}
