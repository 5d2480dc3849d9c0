import { buildReport } from './build-report.js';
import { evidenceLine, renderText } from './render-text.js';
import { finding, reportRun } from './testdata/report-fixtures.js';

const RUN = reportRun();

describe('evidenceLine', () => {
  it('writes key=value pairs: arrays joined, objects as JSON, long values cut at 120', () => {
    expect(evidenceLine({ community: 'public', versions: ['v1', 'v2c'], attrs: { a: 1 }, n: 3 })).toBe(
      'community=public versions=[v1, v2c] attrs={"a":1} n=3',
    );
    const line = evidenceLine({ banner: 'x'.repeat(200) });
    expect(line).toBe(`banner=${'x'.repeat(117)}...`);
  });
});

describe('renderText', () => {
  it('heads with the run, its network evidence, the violations by severity and rule, and the delta', () => {
    const text = renderText(
      buildReport(RUN, [finding({}), finding({ key: 'k2', address: '127.0.0.2', host: '127.0.0.2' })], {
        id: 'r6',
        number: 6,
      }),
    );
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'fleetqry report — run #7 (succeeded), lab, policy baseline 3',
      '2 host(s), 90/100 probes stored, 12.3 s',
      'Network: 4 TCP retransmission(s); 1 port(s) answered only after one, 2 without an answer to any attempt',
    ]);
    expect(text).toContain('Violations: 2 on 2 host(s)  (critical 0, high 2, medium 0, low 0, info 0)');
    expect(text).toMatch(/^ {2}high {5}snmp\.community\.public {10}2 finding\(s\) on 2 host\(s\)$/m);
    expect(text).toContain('Delta against run #6: 2 new, 0 resolved, 0 persisting, 0 waived');
    // A host named by its address is written once; a named host with its name.
    expect(text).toContain('127.0.0.1 (h1) udp/161  NEW');
    expect(text).toContain('127.0.0.2 udp/161  NEW');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('groups violations, resolved and waived findings, with waiver and owner lines', () => {
    const text = renderText(
      buildReport(
        { ...RUN, scan: null, policy: null, finishedAt: null },
        [
          finding({ status: 'persisting', owner: 'netops' }),
          finding({ key: 'k2', rule: 'tcp.telnet', status: 'resolved', proto: 'tcp', port: 23 }),
          finding({
            key: 'k3',
            status: 'waived',
            waiver: { id: 'W-1', owner: 'ops', reason: 'lab only', expiresAt: '2099-01-01T00:00:00Z' },
          }),
          finding({ key: 'k4', rule: 'host.thing', proto: undefined, port: undefined }),
        ],
        null,
      ),
      { failures: ['nope.example: cannot resolve'] },
    );
    expect(text).toMatch(/^fleetqry report — run #7 \(succeeded\), ad-hoc scan, no policy$/m);
    expect(text).toContain('probes stored, ? s');
    expect(text).toContain('First run of this scan: 1 new, 1 waived');
    const section = (title: string) => text.split(`\n${title}:\n`)[1]?.split('\n\n')[0] ?? '';
    expect(section('Violations')).toContain('PERSISTING');
    expect(section('Violations')).toContain('           owner: netops');
    expect(section('Violations')).toMatch(/host\.thing +127\.0\.0\.1 \(h1\) {2}NEW/); // no port: host only
    expect(section('Resolved since the previous run')).toContain('tcp.telnet');
    expect(section('Waived')).toContain('           waived by ops until 2099-01-01T00:00:00Z: lab only');
    expect(text.endsWith('Targets that could not be probed (1):\n  nope.example: cannot resolve\n')).toBe(
      true,
    );
  });

  it("shows a failed run's error, and its plan failures before the ones found while probing", () => {
    const text = renderText(
      buildReport(
        {
          ...RUN,
          status: 'failed',
          error: 'no target could be probed (1 failed at plan time): cannot resolve "a.test": no such name',
          planFailures: [{ given: 'a.test', error: 'cannot resolve "a.test": no such name' }],
        },
        [],
        null,
      ),
      { failures: ['127.0.0.9: refused: out of scope'] },
    );
    expect(text.split('\n').slice(0, 4)).toEqual([
      'fleetqry report — run #7 (failed), lab, policy baseline 3',
      '2 host(s), 90/100 probes stored, 12.3 s',
      'Network: 4 TCP retransmission(s); 1 port(s) answered only after one, 2 without an answer to any attempt',
      'Error: no target could be probed (1 failed at plan time): cannot resolve "a.test": no such name',
    ]);
    expect(
      text.endsWith(
        'Targets that could not be probed (2):\n  a.test: cannot resolve "a.test": no such name\n' +
          '  127.0.0.9: refused: out of scope\n',
      ),
    ).toBe(true);
  });

  it('leaves out empty sections', () => {
    const text = renderText(buildReport(RUN, [], null));
    expect(text).toContain('Violations: 0 on 0 host(s)');
    expect(text).not.toMatch(/^(Violations|Waived|Resolved since the previous run):$/m);
  });
});
