import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Finding, InventorySources, Report } from '@fleetqry/contracts';
import { baselinePolicy, RULE_TYPES, ruleCatalog, summarize } from '@fleetqry/policy';
import type { RunRecord } from '@fleetqry/store';

import { runInfo } from './build-report.js';
import { locateFindings } from './finding-sources.js';
import { renderSarif } from './render-sarif.js';

const RULES_DOC = join(dirname(fileURLToPath(import.meta.url)), '../../../../docs/rules.md');

const finding = (over: Partial<Finding>): Finding => ({
  rule: 'snmp.community.public',
  severity: 'critical',
  host: '127.30.0.10',
  address: '127.30.0.10',
  proto: 'udp',
  port: 161,
  title: 'SNMP agent accepts the community "public"',
  evidence: { communities: ['public'] },
  key: 'k1',
  status: 'new',
  tags: [],
  references: ['CVE-1999-0517'],
  ...over,
});

const sources: InventorySources = {
  root: '/src/repo',
  files: ['/src/repo/infra/fleet inventory.yaml', '/src/repo/infra/sites/branch.yaml'],
  entries: [
    ['127.30.0.0/24', 0, 4],
    ['127.30.0.0/26', 0, 5],
    ['127.30.0.14', 0, 6],
    ['127.31.0.0-127.31.0.255', 1, 3],
    ['h001.lab.example', 1, 7],
    ['127.30.0.14', 1, 9],
  ],
};

interface Sarif {
  runs: {
    automationDetails: { id: string };
    tool: {
      driver: {
        rules: {
          id: string;
          name: string;
          fullDescription: { text: string };
          help: { text: string; markdown: string };
          helpUri: string;
        }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      message: { text: string };
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string; uriBaseId: string };
          region: { startLine: number };
        };
      }[];
      partialFingerprints: Record<string, string>;
      suppressions?: unknown[];
    }[];
  }[];
}

function report(violations: Finding[], over: Partial<Report['run']> = {}, withRules = true): Report {
  return {
    reportVersion: 1,
    run: {
      id: '5b0c2f2e-0000-4000-8000-000000000001',
      number: 12,
      status: 'succeeded',
      trigger: 'cli',
      scan: 'cli:/src/repo/infra/fleet inventory.yaml',
      category: 'fleet',
      policy: { name: 'baseline', version: '1.0.0' },
      hosts: 64,
      totalProbes: 64,
      doneProbes: 64,
      network: { retransmissions: 0, recovered: 0, undecided: 0 },
      createdAt: '2026-12-06T10:00:00.000Z',
      startedAt: '2026-12-06T10:00:00.000Z',
      finishedAt: '2026-12-06T10:01:00.000Z',
      error: null,
      planFailures: [],
      ...over,
    },
    summary: summarize(violations),
    delta: { against: null, new: 0, resolved: 0, persisting: 0, waived: 0 },
    violations,
    ...(withRules ? { rules: ruleCatalog(baselinePolicy()) } : {}),
  };
}

const render = (r: Report) => JSON.parse(renderSarif(r, '0.1.0')) as Sarif;

describe('finding locations', () => {
  const located = locateFindings(
    [
      finding({ key: 'a', address: '127.30.0.14', host: '127.30.0.14' }), // its own entry (first one written)
      finding({ key: 'b', address: '127.30.0.20', host: '127.30.0.20' }), // the /26, narrower than the /24
      finding({ key: 'c', address: '127.30.0.200', host: '127.30.0.200' }), // only the /24
      finding({ key: 'd', address: '127.31.0.9', host: '127.31.0.9' }), // the range, in the imported file
      finding({ key: 'e', address: '127.32.0.1', host: 'h001.lab.example' }), // by host name
      finding({ key: 'f', address: '127.99.0.1', host: '127.99.0.1' }), // no entry: the top file
    ],
    sources,
  );

  it("points each finding at its host's entry, relative to the recorded root", () => {
    expect(located.map((f) => [f.key, f.source])).toEqual([
      ['a', { path: 'infra/fleet inventory.yaml', line: 6 }],
      ['b', { path: 'infra/fleet inventory.yaml', line: 5 }],
      ['c', { path: 'infra/fleet inventory.yaml', line: 4 }],
      ['d', { path: 'infra/sites/branch.yaml', line: 3 }],
      ['e', { path: 'infra/sites/branch.yaml', line: 7 }],
      ['f', { path: 'infra/fleet inventory.yaml', line: 1 }],
    ]);
  });

  it('rebases paths on another root (--sarif-root) and keeps logical paths', () => {
    const [a] = locateFindings([finding({ address: '127.30.0.14' })], sources, '/src/repo/infra');
    expect(a!.source).toEqual({ path: 'fleet inventory.yaml', line: 6 });
    const [s] = locateFindings([finding({ address: '127.30.0.3' })], {
      files: ['inventories/lab'],
      entries: [['127.30.0.0/26', 0, 1]],
    });
    expect(s!.source).toEqual({ path: 'inventories/lab', line: 1 });
  });

  it('renders them as physical locations under %SRCROOT%, percent-encoded', () => {
    const sarif = render(report(located));
    expect(
      sarif.runs[0]!.results.map((r) => {
        const p = r.locations[0]!.physicalLocation;
        return `${p.artifactLocation.uriBaseId} ${p.artifactLocation.uri}:${p.region.startLine}`;
      }),
    ).toEqual([
      '%SRCROOT% infra/fleet%20inventory.yaml:6',
      '%SRCROOT% infra/fleet%20inventory.yaml:5',
      '%SRCROOT% infra/fleet%20inventory.yaml:4',
      '%SRCROOT% infra/sites/branch.yaml:3',
      '%SRCROOT% infra/sites/branch.yaml:7',
      '%SRCROOT% infra/fleet%20inventory.yaml:1',
    ]);
  });
});

describe('renderSarif', () => {
  const violations = [
    finding({ key: 'k1', source: { path: 'fleet.yaml', line: 4 } }),
    finding({
      key: 'k2',
      rule: 'port.forbidden',
      severity: 'medium',
      proto: 'tcp',
      port: 513,
      title: 'BSD r-services listening (rexec/rlogin/rsh, TCP 512-514)',
      references: [],
      source: { path: 'fleet.yaml', line: 4 },
    }),
    finding({ key: 'k3', status: 'resolved', source: { path: 'fleet.yaml', line: 4 } }),
    finding({
      key: 'k4',
      status: 'waived',
      waiver: { id: 'w1', owner: 'ops', reason: 'lab box', expiresAt: '2027-01-01T00:00:00.000Z' },
      source: { path: 'fleet.yaml', line: 9 },
    }),
  ];
  const sarif = render(report(violations));
  const run = sarif.runs[0]!;

  it('has one result per open finding, each with a physical location and its finding key', () => {
    expect(run.results.map((r) => r.partialFingerprints['fleetqryFindingKey/v1'])).toEqual([
      'k1',
      'k2',
      'k4',
    ]);
    expect(run.results.every((r) => r.locations[0]!.physicalLocation.region.startLine >= 1)).toBe(true);
    expect(run.results[0]!.message.text).toBe(
      'SNMP agent accepts the community "public". Host 127.30.0.10 udp/161.',
    );
    expect(run.results[2]!.suppressions).toHaveLength(1);
    expect(run.results.map((r) => run.tool.driver.rules[r.ruleIndex]!.id)).toEqual(
      run.results.map((r) => r.ruleId),
    );
  });

  it('describes every rule with fullDescription, help (text and Markdown) and a helpUri into docs/rules.md', () => {
    const doc = readFileSync(RULES_DOC, 'utf8');
    const anchors = new Set([...doc.matchAll(/^### ([a-z0-9-]+)$/gm)].map((m) => m[1]));
    expect(run.tool.driver.rules.map((r) => [r.id, r.name])).toEqual([
      ['snmp.community.public', 'SnmpCommunityPublic'],
      ['port.forbidden', 'PortForbidden'],
    ]);
    for (const rule of run.tool.driver.rules) {
      expect(rule.fullDescription.text.length).toBeGreaterThan(20);
      expect(rule.help.text).toMatch(/Fix: /);
      expect(rule.help.markdown).toMatch(/\*\*Fix:\*\*/);
      const [, anchor] = /\/docs\/rules\.md#([a-z0-9-]+)$/.exec(rule.helpUri) ?? [];
      expect(anchors).toContain(anchor);
    }
    // A rule id shared by several checks describes each of them.
    const forbidden = run.tool.driver.rules[1]!;
    expect(forbidden.fullDescription.text).toMatch(/r-services: .*tftp: /);
    expect(forbidden.helpUri).toMatch(/#port-forbidden$/);
  });

  it('documents every rule type in docs/rules.md', () => {
    const doc = readFileSync(RULES_DOC, 'utf8');
    for (const type of RULE_TYPES) expect(doc).toContain(`\n### ${type}\n`);
  });

  it("still describes rules of a run evaluated before rules were recorded (the finding's title)", () => {
    const legacy = render(report([violations[0]!], {}, false)).runs[0]!.tool.driver.rules[0]!;
    expect(legacy.fullDescription.text).toBe('SNMP agent accepts the community "public".');
    expect(legacy.help.markdown).toContain('snmp.community.public');
    expect(legacy.helpUri).toMatch(/\/docs\/rules\.md$/);
  });

  it('identifies the run as fleetqry/<category>/<number>, with no path of the machine', () => {
    expect(run.automationDetails.id).toBe('fleetqry/fleet/12');
    const record = {
      id: '5b0c2f2e-0000-4000-8000-000000000002',
      number: 3,
      status: 'succeeded',
      trigger: 'cli',
      plan: { inventory: '/home/me/checkout/fleet.yaml', category: 'infra/fleet.yaml' },
      policyName: 'baseline',
      hosts: 1,
      totalProbes: 1,
      doneProbes: 1,
      retransmissions: 0,
      recovered: 0,
      undecided: 0,
      createdAt: new Date(0),
      startedAt: null,
      finishedAt: null,
      error: null,
    } as unknown as RunRecord;
    expect(runInfo(record, 'cli:/home/me/checkout/fleet.yaml').category).toBe('infra/fleet.yaml');
    // A run recorded before categories: the file name, never the absolute path.
    expect(runInfo({ ...record, plan: {} }, 'cli:/home/me/checkout/fleet.yaml').category).toBe('fleet.yaml');
    expect(runInfo({ ...record, plan: {} }, 'nightly-dc').category).toBe('nightly-dc');
  });
});
