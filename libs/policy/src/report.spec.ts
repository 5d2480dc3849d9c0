import type { Finding } from '@fleetqry/contracts';

import { baselinePolicy } from './baseline.js';
import { evaluate } from './evaluate.js';
import { delta, filterFindings, hasViolationsAtOrAbove, summarize } from './report.js';
import { AT, FLEET_HOSTS, fleetObservations } from './testdata/fleet.js';

const findings = evaluate({
  observations: fleetObservations(),
  hosts: FLEET_HOSTS,
  policy: baselinePolicy(),
  now: AT,
});
const withStatus = (f: Finding, status: Finding['status']): Finding => ({ ...f, status });

describe('summarize', () => {
  it('counts violations by severity and rule; waived/resolved only by status', () => {
    const list = findings.map((f) =>
      f.rule === 'ftp.anonymous'
        ? withStatus(f, 'waived')
        : f.rule === 'telnet.listening'
          ? withStatus(f, 'resolved')
          : f,
    );
    const s = summarize(list);
    expect(s).toMatchObject({
      total: 8,
      violations: 6,
      hostsWithViolations: 6,
      byStatus: { new: 6, persisting: 0, resolved: 1, waived: 1 },
      bySeverity: { critical: 1, high: 1, medium: 3, low: 0, info: 1 },
    });
    expect(s.byRule.map((r) => `${r.severity} ${r.rule} ${r.count}`)).toEqual([
      'critical snmp.community.public 1',
      'high snmp.v1v2c-where-v3-required 1',
      'medium banner.mismatch 1',
      'medium port.forbidden 1',
      'medium port.required 1',
      'info ldap.anonymous-rootdse 1',
    ]);
  });
});

describe('filterFindings', () => {
  it.each([
    [{ minSeverity: 'high' as const }, 4],
    [{ rules: ['snmp.*'] }, 2],
    [{ rules: ['port.forbidden', 'port.required'] }, 2],
    [{ tags: ['iis'] }, 1],
    [{ hosts: ['127.20.0.60'] }, 2],
    [{ hosts: ['127.20.0.0/28'] }, 2],
    [{ statuses: ['persisting' as const] }, 0],
    [{ minSeverity: 'medium' as const, tags: ['legacy'], rules: ['port.*'] }, 1],
  ])('%j → %i', (filter, count) => {
    expect(filterFindings(findings, filter)).toHaveLength(count);
  });

  it('hasViolationsAtOrAbove follows --fail-on', () => {
    expect(hasViolationsAtOrAbove(findings, 'critical')).toBe(true);
    const onlyInfo = findings.filter((f) => f.severity === 'info');
    expect(hasViolationsAtOrAbove(onlyInfo, 'low')).toBe(false);
    expect(hasViolationsAtOrAbove(onlyInfo, 'info')).toBe(true);
    expect(
      hasViolationsAtOrAbove(
        findings.map((f) => withStatus(f, 'waived')),
        'info',
      ),
    ).toBe(false);
  });
});

describe('delta', () => {
  it('new, resolved, persisting by key; severity changes noted', () => {
    const previous = findings.filter((f) => f.rule !== 'ftp.anonymous');
    const current = findings
      .filter((f) => f.rule !== 'telnet.listening')
      .map((f) => (f.rule === 'port.required' ? { ...f, severity: 'high' as const } : f));
    const d = delta(previous, current);
    expect(d.new.map((f) => f.rule)).toEqual(['ftp.anonymous']);
    expect(d.resolved.map((f) => f.rule)).toEqual(['telnet.listening']);
    expect(d.persisting).toHaveLength(6);
    expect(d.severityChanged).toEqual([
      { finding: expect.objectContaining({ rule: 'port.required' }), previousSeverity: 'medium' },
    ]);
    // A resolved record in the previous run is not open: it coming back is new.
    expect(delta([withStatus(findings[0]!, 'resolved')], [findings[0]!]).new).toHaveLength(1);
  });
});
