import { ReportSchema } from '@fleetqry/contracts';
import type { RunRecord } from '@fleetqry/store';

import { buildReport, runInfo } from './build-report.js';
import { finding as anyFinding } from './testdata/report-fixtures.js';

const finding: typeof anyFinding = (over) => anyFinding({ tags: ['dc'], ...over });

const FINDINGS = [
  finding({}),
  finding({ key: 'k2', address: '127.0.0.2', status: 'persisting' }),
  finding({ key: 'k3', rule: 'tcp.telnet', severity: 'medium', proto: 'tcp', port: 23, status: 'resolved' }),
  finding({
    key: 'k4',
    rule: 'ldap.anonymous',
    severity: 'low',
    proto: 'tcp',
    port: 389,
    status: 'waived',
    tags: [],
  }),
];

/** The fields of a stored run that the report shows (the rest of the row is not read). */
const record = (over: Partial<RunRecord> = {}): RunRecord =>
  ({
    id: '00000000-0000-4000-8000-000000000007',
    number: 7,
    status: 'succeeded',
    trigger: 'cli',
    policyName: 'baseline',
    plan: { policyVersion: '3' },
    hosts: 2,
    totalProbes: 100,
    doneProbes: 100,
    retransmissions: 4,
    recovered: 1,
    undecided: 2,
    createdAt: new Date('2026-01-01T10:00:00Z'),
    startedAt: new Date('2026-01-01T10:00:01Z'),
    finishedAt: null,
    error: null,
    ...over,
  }) as RunRecord;

describe('runInfo', () => {
  it('shows a stored run: policy with its version, network evidence, dates as ISO or null', () => {
    expect(runInfo(record(), 'lab')).toEqual({
      id: '00000000-0000-4000-8000-000000000007',
      number: 7,
      status: 'succeeded',
      trigger: 'cli',
      scan: 'lab',
      category: 'lab',
      policy: { name: 'baseline', version: '3' },
      hosts: 2,
      totalProbes: 100,
      doneProbes: 100,
      network: { retransmissions: 4, recovered: 1, undecided: 2 },
      createdAt: '2026-01-01T10:00:00.000Z',
      startedAt: '2026-01-01T10:00:01.000Z',
      finishedAt: null,
      error: null,
      planFailures: [],
    });
  });

  it("carries the plan's failures, and none from a plan that has no valid list", () => {
    const failure = { given: 'a.test', error: 'cannot resolve "a.test": no such name' };
    expect(runInfo(record({ plan: { planFailures: [failure] } }), null).planFailures).toEqual([failure]);
    expect(runInfo(record({ plan: { planFailures: 'x' } }), null).planFailures).toEqual([]);
  });

  it('has no policy without a policy name, and no version when the plan has none', () => {
    expect(runInfo(record({ policyName: null }), null).policy).toBeNull();
    expect(runInfo(record({ plan: null }), null).policy).toEqual({ name: 'baseline', version: null });
  });
});

describe('buildReport', () => {
  const run = runInfo(record(), 'lab');

  it('counts the delta by lifecycle status and summarises the violations', () => {
    const report = buildReport(run, FINDINGS, { id: 'prev', number: 6 });
    expect(ReportSchema.parse(report)).toEqual(report);
    expect(report.delta).toEqual({
      against: { id: 'prev', number: 6 },
      new: 1,
      resolved: 1,
      persisting: 1,
      waived: 1,
    });
    expect(report.summary).toMatchObject({ total: 4, violations: 2, hostsWithViolations: 2 });
    expect(report.violations).toEqual(FINDINGS);
    expect(report.filters).toBeUndefined();
  });

  it('filters before it counts, and records only the filters given', () => {
    const report = buildReport(run, FINDINGS, null, { minSeverity: 'medium', tags: undefined });
    expect(report.violations.map((f) => f.key)).toEqual(['k1', 'k2', 'k3']);
    expect(report.delta).toMatchObject({ against: null, waived: 0, resolved: 1 });
    expect(report.filters).toEqual({ minSeverity: 'medium' });
    expect(buildReport(run, FINDINGS, null, { rules: ['snmp.*'] }).summary.byRule).toEqual([
      { rule: 'snmp.community.public', severity: 'high', count: 2, hosts: 2 },
    ]);
  });
});
