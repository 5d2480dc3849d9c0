import type { Finding, Report } from '@fleetqry/contracts';
import { parse } from 'csv-parse/sync';

import { buildReport } from './build-report.js';
import { renderCsv } from './render-csv.js';

const RUN = {
  id: 'r1',
  number: 1,
  status: 'succeeded',
  trigger: 'cli',
  scan: null,
  category: 'run-1',
  policy: null,
  hosts: 1,
  totalProbes: 1,
  doneProbes: 1,
  network: { retransmissions: 0, recovered: 0, undecided: 0 },
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  error: null,
} satisfies Report['run'];

const finding = (over: Partial<Finding>): Finding => ({
  rule: 'http.banner',
  severity: 'low',
  host: 'h1',
  address: '127.0.0.1',
  proto: 'tcp',
  port: 80,
  title: 'Server header, "nginx"',
  evidence: { server: 'nginx, 1.2', lines: ['a', 'b'] },
  key: 'k1',
  status: 'new',
  tags: ['web', 'dmz'],
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-02T00:00:00.000Z',
  ...over,
});

describe('renderCsv', () => {
  it('writes one row per finding under a fixed header, quoting what needs it', () => {
    const csv = renderCsv(
      buildReport(
        RUN,
        [
          finding({}),
          finding({
            key: 'k2',
            owner: 'ops',
            status: 'waived',
            proto: undefined,
            port: undefined,
            waiver: { id: 'W', owner: 'sec', reason: 'r', expiresAt: '2099-01-01T00:00:00Z' },
          }),
        ],
        null,
      ),
    );
    const rows = parse<Record<string, string>>(csv, { columns: true });
    expect(Object.keys(rows[0]!)).toEqual([
      'rule',
      'severity',
      'status',
      'host',
      'address',
      'proto',
      'port',
      'title',
      'evidence',
      'firstSeen',
      'lastSeen',
      'tags',
      'owner',
      'waiver',
    ]);
    expect(rows[0]).toMatchObject({
      title: 'Server header, "nginx"',
      port: '80',
      tags: 'web dmz',
      owner: '',
      waiver: '',
    });
    expect(JSON.parse(rows[0]!['evidence']!)).toEqual({ server: 'nginx, 1.2', lines: ['a', 'b'] });
    expect(rows[1]).toMatchObject({
      proto: '',
      port: '',
      owner: 'ops',
      waiver: 'sec until 2099-01-01T00:00:00Z',
    });
    expect(csv.endsWith('\n')).toBe(true);
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    const csv = renderCsv(
      buildReport(RUN, [finding({ host: '=HYPERLINK("x")', title: '+1', tags: [] })], null),
    );
    const [row] = parse<Record<string, string>>(csv, { columns: true });
    expect(row).toMatchObject({ host: `'=HYPERLINK("x")`, title: `'+1` });
  });

  it('is the header alone for a report without findings', () => {
    expect(renderCsv(buildReport(RUN, [], null)).split('\n')).toHaveLength(2);
  });
});
