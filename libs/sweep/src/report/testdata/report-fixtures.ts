import type { Finding, Report } from '@fleetqry/contracts';

/** A finding of the report specs: SNMP answering `public` on 127.0.0.1, new; `over` changes fields. */
export const finding = (over: Partial<Finding> = {}): Finding => ({
  rule: 'snmp.community.public',
  severity: 'high',
  host: 'h1',
  address: '127.0.0.1',
  proto: 'udp',
  port: 161,
  title: 'SNMP answers to "public"',
  evidence: { community: 'public' },
  key: 'k1',
  status: 'new',
  tags: [],
  ...over,
});

/** A finished run #7 of the scan `lab` as a report shows it; `over` changes fields. */
export const reportRun = (over: Partial<Report['run']> = {}): Report['run'] => ({
  id: 'r7',
  number: 7,
  status: 'succeeded',
  trigger: 'cli',
  scan: 'lab',
  category: 'lab',
  policy: { name: 'baseline', version: '3' },
  hosts: 2,
  totalProbes: 100,
  doneProbes: 90,
  network: { retransmissions: 4, recovered: 1, undecided: 2 },
  createdAt: '2026-01-01T10:00:00.000Z',
  startedAt: '2026-01-01T10:00:00.000Z',
  finishedAt: '2026-01-01T10:00:12.340Z',
  error: null,
  planFailures: [],
  ...over,
});
