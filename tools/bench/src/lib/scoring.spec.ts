import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseTimeV } from './exec.js';
import { readJsonl } from './fleetqry.js';
import { nmapState, readNmapXml } from './nmap.js';
import { median, scoreStates, stateLine, worst } from './score.js';
import { scoreFleetqryStates, scoreNmapStates, toScore } from './states.js';
import { expectedFleetqry, type HostTruth } from './truth.js';

/** Two lab-like hosts: .1 has 22 open and 23 dropped, .2 has nothing open. */
const host = (address: string, openTcp: number[], filteredTcp: number[]): HostTruth => ({
  address,
  name: address,
  tags: [],
  openTcp,
  openUdp: [],
  filteredTcp,
  filteredUdp: [],
  snmp: null,
  ldap: null,
  banners: {},
  http: {},
  ftp: {},
  services: {},
});
const HOSTS = [host('127.30.0.1', [22], [23]), host('127.30.0.2', [], [])];
const PORTS = [22, 23];
const want = (h: HostTruth, p: number) => expectedFleetqry(h, 'tcp', p, []);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fq-bench-score-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};
const line = (address: string, port: number, state: string) =>
  JSON.stringify({ host: address, address, proto: 'tcp', port, state });
const PERFECT = [
  line('127.30.0.1', 22, 'LISTENING'),
  line('127.30.0.1', 23, 'FILTERED'),
  line('127.30.0.2', 22, 'NOT LISTENING'),
  line('127.30.0.2', 23, 'NOT LISTENING'),
];

describe('scoreStates', () => {
  it('counts agreement, open and filtered found, false LISTENING and missing cells', () => {
    const s = scoreStates([
      { where: 'a tcp/1', want: 'open', got: 'open' },
      { where: 'a tcp/2', want: 'closed', got: 'open' },
      { where: 'a tcp/3', want: 'filtered', got: 'filtered' },
      { where: 'a tcp/4', want: 'open|filtered', got: 'missing' },
      { where: 'a tcp/5', want: 'closed', got: 'closed' },
    ]);
    expect(s).toMatchObject({
      total: 5,
      agree: 3,
      openExpected: 1,
      openFound: 1,
      falseOpen: 1,
      filteredExpected: 2,
      filteredFound: 1,
      missing: 1,
      mismatchCount: 2,
    });
    expect(s.mismatches).toEqual(['a tcp/2 want closed got open', 'a tcp/4 want open|filtered got missing']);
    expect(stateLine(s)).toBe('3/5 states (60.00 %); open 1/1, false LISTENING 1; filtered 1/2; 1 missing');
  });

  it('lists only the first mismatches but counts them all', () => {
    const cells = Array.from({ length: 30 }, (_, i) => ({
      where: `h tcp/${i}`,
      want: 'open' as const,
      got: 'closed' as const,
    }));
    const s = scoreStates(cells, 5);
    expect(s.mismatches).toHaveLength(5);
    expect(s.mismatchCount).toBe(30);
  });
});

describe('scoreFleetqryStates', () => {
  it('scores a perfect output at 100 %', () => {
    const { score, extra } = scoreFleetqryStates(
      write('ok.jsonl', PERFECT.join('\n')),
      HOSTS,
      'tcp',
      PORTS,
      want,
    );
    expect(extra).toBe(0);
    expect(toScore(score)).toMatchObject({ agree: 4, total: 4 });
  });

  it('counts duplicate, unexpected and unparsable lines as errors, not as noise', () => {
    const file = write(
      'noisy.jsonl',
      [
        ...PERFECT,
        line('127.30.0.1', 22, 'LISTENING'), // duplicate of a right answer
        line('127.30.0.9', 22, 'LISTENING'), // a host that was not targeted
        line('127.30.0.2', 80, 'NOT LISTENING'), // a port that was not asked for
        '{"truncated": ',
      ].join('\n'),
    );
    const { score, extra } = scoreFleetqryStates(file, HOSTS, 'tcp', PORTS, want);
    expect(extra).toBe(4);
    expect(score.agree).toBe(4);
    expect(score.total).toBe(8);
    expect(score.mismatchCount).toBe(4);
    expect(score.mismatches).toContain('4 unexpected/duplicate/bad JSONL lines');
  });

  it('scores a missing cell and a wrong state', () => {
    const file = write(
      'wrong.jsonl',
      [PERFECT[0], line('127.30.0.1', 23, 'NOT LISTENING'), PERFECT[2]].join('\n'),
    );
    const { score } = scoreFleetqryStates(file, HOSTS, 'tcp', PORTS, want);
    expect(score).toMatchObject({ total: 4, agree: 2, missing: 1, filteredFound: 0, filteredExpected: 1 });
  });

  it('reads the last of duplicate lines and reports the duplicate count', () => {
    const r = readJsonl(write('dup.jsonl', [PERFECT[0], line('127.30.0.1', 22, 'FILTERED')].join('\n')));
    expect(r.duplicates).toBe(1);
    expect(r.obs.get('127.30.0.1 tcp/22')?.state).toBe('FILTERED');
  });
});

describe('nmap XML', () => {
  const xml = `<?xml version="1.0"?><nmaprun>
<host><status state="up"/><address addr="127.30.0.1" addrtype="ipv4"/><ports>
<extraports state="closed" count="1022"/>
<port protocol="tcp" portid="22"><state state="open"/><service name="ssh"/></port>
<port protocol="tcp" portid="23"><state state="filtered"/></port>
</ports></host>
<host><status state="up"/><address addr="127.30.0.2" addrtype="ipv4"/><ports>
<extraports state="closed" count="1024"/></ports></host>
</nmaprun>`;

  it('maps listed ports and extraports to canonical states', () => {
    const hosts = readNmapXml(write('scan.xml', xml))!;
    expect(nmapState(hosts.get('127.30.0.1'), 'tcp/22')).toBe('open');
    expect(nmapState(hosts.get('127.30.0.1'), 'tcp/23')).toBe('filtered');
    expect(nmapState(hosts.get('127.30.0.1'), 'tcp/80')).toBe('closed');
    expect(nmapState(hosts.get('127.30.0.9'), 'tcp/22')).toBe('missing');
    const s = scoreNmapStates(write('scan2.xml', xml), HOSTS, 'tcp', PORTS, want);
    expect(s).toMatchObject({ total: 4, agree: 4 });
  });

  it('scores every cell missing when the XML is incomplete (nmap killed by the time limit)', () => {
    const s = scoreNmapStates(write('cut.xml', xml.replace('</nmaprun>', '')), HOSTS, 'tcp', PORTS, want);
    expect(s).toMatchObject({ total: 4, agree: 0, missing: 4 });
    expect(s.mismatches[0]).toMatch(/no complete nmap XML/);
  });
});

describe('timing and aggregation', () => {
  it('parses GNU time -v output, including a signal exit', () => {
    const t = parseTimeV(
      [
        '\tUser time (seconds): 1.25',
        '\tSystem time (seconds): 0.50',
        '\tPercent of CPU this job got: 87%',
        '\tMaximum resident set size (kbytes): 204800',
        '\tCommand terminated by signal 9',
      ].join('\n'),
    );
    expect(t).toEqual({ user: 1.25, sys: 0.5, cpuPct: 87, maxRssKb: 204800, exit: 'signal 9' });
  });

  it('takes medians of finite values and the worst run by agreement', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, NaN, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(worst([{ agree: 5 }, { agree: 3 }, { agree: 4 }])).toEqual({ agree: 3 });
  });
});
