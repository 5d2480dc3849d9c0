import type { Finding, Report, ReportRule, Severity } from '@fleetqry/contracts';

import { ruleHelp, RULES_DOC_URL, sentence } from './rule-help.js';

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

/** Report paths are relative to the source root (the repository root, or --sarif-root). */
const SRCROOT = '%SRCROOT%';

/**
 * SARIF 2.1.0 for GitHub code scanning: one run, the policy's rules as reportingDescriptors (help and a link
 * to the rule reference), one result per open finding (resolved ones are left out; waived ones carry a
 * suppression). Each result's physical location is the host's entry in the inventory (path relative to the
 * source root, line of the entry); its logical location is the host and port. `automationDetails.id` is
 * `fleetqry/<category>/<run number>`: GitHub takes what precedes the last "/" as the analysis category,
 * which stays the same from run to run and checkout to checkout.
 */
export function renderSarif(report: Report, toolVersion: string): string {
  const findings = report.violations.filter((f) => f.status !== 'resolved');
  const catalog = new Map((report.rules ?? []).map((r) => [r.id, r]));
  const firstOfRule = new Map<string, Finding>();
  for (const f of findings) if (!firstOfRule.has(f.rule)) firstOfRule.set(f.rule, f);
  const ruleIndex = new Map([...firstOfRule.keys()].map((id, i) => [id, i]));
  const rules = [...firstOfRule.values()].map((f) => reportingDescriptor(f, catalog.get(f.rule)));
  const fallback = { path: `inventories/${report.run.category}`, line: 1 };
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'fleetqry',
            version: toolVersion,
            informationUri: RULES_DOC_URL,
            rules,
          },
        },
        automationDetails: { id: `fleetqry/${report.run.category}/${report.run.number}` },
        originalUriBaseIds: {
          [SRCROOT]: {
            description: { text: 'The repository root the inventory paths are relative to.' },
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ruleIndex.get(f.rule)!,
          level: LEVEL[f.severity],
          message: { text: `${sentence(f.title)} Host ${endpoint(f)}.` },
          locations: [location(f, f.source ?? fallback)],
          partialFingerprints: { 'fleetqryFindingKey/v1': f.key },
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

function reportingDescriptor(f: Finding, rule: ReportRule | undefined) {
  const help = ruleHelp(f.rule, rule, f.title);
  return {
    id: f.rule,
    name: friendlyName(f.rule),
    shortDescription: { text: sentence(rule?.entries.length === 1 ? rule.entries[0]!.title : f.title) },
    fullDescription: { text: help.fullDescription },
    help: { text: help.text, markdown: help.markdown },
    helpUri: help.helpUri,
    defaultConfiguration: { level: LEVEL[f.severity] },
    properties: {
      severity: f.severity,
      'security-severity': SECURITY_SEVERITY[f.severity],
      tags: ['security', 'network', 'compliance', ...(rule ? [rule.type] : [])],
      ...(f.references?.length ? { references: f.references.map(referenceUri) } : {}),
    },
  };
}

/** SARIF's rule `name`: a Pascal-case identifier (`snmp.community.public` → `SnmpCommunityPublic`). */
function friendlyName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function endpoint(f: Finding): string {
  const at = f.proto && f.port ? `${f.address} ${f.proto}/${f.port}` : f.address;
  return f.host !== f.address ? `${f.host} (${at})` : at;
}

function location(f: Finding, source: { path: string; line: number }) {
  const name = f.proto && f.port ? `${f.address}:${f.port}/${f.proto}` : f.address;
  return {
    physicalLocation: {
      artifactLocation: { uri: uriReference(source.path), uriBaseId: SRCROOT },
      region: { startLine: source.line },
    },
    logicalLocations: [
      { name, fullyQualifiedName: f.host !== f.address ? `${f.host}/${name}` : name, kind: 'resource' },
    ],
  };
}

/** A relative path as an RFC 3986 relative reference (spaces and the like percent-encoded, "/" kept). */
function uriReference(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function referenceUri(ref: string): string {
  return /^CVE-\d{4}-\d+$/.test(ref) ? `https://www.cve.org/CVERecord?id=${ref}` : ref;
}
