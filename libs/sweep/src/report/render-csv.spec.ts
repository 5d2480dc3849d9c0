import { parse } from 'csv-parse/sync';

import { buildReport } from './build-report.js';
import { renderCsv } from './render-csv.js';
import { finding as anyFinding, reportRun } from './testdata/report-fixtures.js';

const RUN = reportRun({ id: 'r1', number: 1, scan: null, category: 'run-1', policy: null, finishedAt: null });

const finding: typeof anyFinding = (over) =>
  anyFinding({
    rule: 'http.banner',
    severity: 'low',
    proto: 'tcp',
    port: 80,
    title: 'Server header, "nginx"',
    evidence: { server: 'nginx, 1.2', lines: ['a', 'b'] },
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
