import { HostScheduler, type HostCaps } from './host-scheduler.js';
import { PACE_CUT, SubnetPacer } from './subnet-pacer.js';

/** A host with `ports` probes to start; started probes stay in flight until the test ends them. */
class Host {
  inflight = 0;
  constructor(
    readonly name: string,
    public ports: number,
    readonly subnet = '127.0.0',
  ) {}
  get pending(): boolean {
    return this.ports > 0;
  }
}

function setup(caps: Partial<HostCaps<Host>> & { cap?: number } = {}) {
  const started: string[] = [];
  const pacer = new SubnetPacer(caps.cap ?? 100);
  const s: HostScheduler<Host> = new HostScheduler(
    pacer,
    { concurrency: caps.concurrency ?? (() => 100), perHost: caps.perHost ?? (() => 100) },
    (h) => {
      h.ports--;
      started.push(h.name);
    },
  );
  return { s, started, pacer };
}

describe('HostScheduler', () => {
  it('serves the hosts round-robin, one probe each in turn', () => {
    const { s, started } = setup();
    const hosts = [new Host('a', 3), new Host('b', 1), new Host('c', 2)];
    for (const h of hosts) s.add(h);
    s.fill();
    expect(started.join('')).toBe('abcaca');
    expect(s.inflight).toBe(6);
    expect(hosts.map((h) => h.inflight)).toEqual([3, 1, 2]);
  });

  it('stops at the concurrency, and refills a slot once a probe ends', () => {
    const { s, started } = setup({ concurrency: () => 2 });
    const [a, b] = [new Host('a', 5), new Host('b', 5)];
    s.add(a);
    s.add(b);
    s.fill();
    expect(started.join('')).toBe('ab');
    s.fill(); // full: nothing more
    expect(started).toHaveLength(2);
    s.end(a);
    s.fill();
    expect(started.join('')).toBe('aba'); // the ring goes on where it stopped
    expect(s.inflight).toBe(2);
  });

  it('keeps each host under its own per-host cap', () => {
    const { s, started } = setup({ perHost: (h) => (h.name === 'a' ? 1 : 3) });
    s.add(new Host('a', 5));
    s.add(new Host('b', 5));
    s.fill();
    expect(started.join('')).toBe('abbb');
  });

  it('gives a subnet that dropped packets a narrower share of both caps', () => {
    const { s, started, pacer } = setup({ concurrency: () => 10, perHost: () => 10, cap: 10 });
    const lossy = new Host('l', 20, '127.1.1');
    const clean = new Host('c', 20, '127.2.2');
    s.add(lossy);
    s.add(clean);
    pacer.begin(lossy.subnet);
    pacer.answered('127.1.1.1', true, 60_000); // a retransmission was needed: the window narrows
    pacer.end(lossy.subnet);
    const allowance = Math.floor(10 * PACE_CUT);
    expect(pacer.allowance(lossy.subnet, 10)).toBe(allowance);
    s.fill();
    // Round-robin until the scan's 10 are in flight; the lossy subnet's 9 do not bind first.
    expect(started.filter((n) => n === 'l')).toHaveLength(5);
    for (let i = 0; i < 5; i++) s.end(clean);
    clean.ports = 0;
    s.fill();
    expect(lossy.inflight).toBe(allowance);
    expect(pacer.inflight(lossy.subnet)).toBe(allowance);
  });

  it('counts held work (a UDP recheck) against the concurrency but not the subnet’s pacing', () => {
    const { s, started, pacer } = setup({ concurrency: () => 2 });
    const a = new Host('a', 4);
    s.add(a);
    s.hold(a);
    expect(pacer.inflight(a.subnet)).toBe(0);
    s.fill();
    expect(started).toEqual(['a']);
    expect(a.inflight).toBe(2);
    s.release(a);
    s.fill();
    expect(started).toEqual(['a', 'a']);
    expect(pacer.inflight(a.subnet)).toBe(2);
  });

  it('does not re-enter itself when a probe settles inside start()', () => {
    const started: string[] = [];
    const pacer = new SubnetPacer(4);
    const s: HostScheduler<Host> = new HostScheduler(
      pacer,
      { concurrency: () => 4, perHost: () => 4 },
      (h) => {
        h.ports--;
        started.push(h.name);
        // A local error settles the probe synchronously, and settling refills.
        s.end(h);
        s.fill();
      },
    );
    s.add(new Host('a', 6));
    s.fill();
    expect(started).toHaveLength(6);
    expect(s.inflight).toBe(0);
  });

  it('adds, removes and clears hosts', () => {
    const { s, started } = setup();
    const [a, b] = [new Host('a', 1), new Host('b', 1)];
    s.add(a);
    s.add(b);
    s.remove(a);
    s.remove(a); // not there any more: nothing happens
    expect(s.size).toBe(1);
    s.fill();
    expect(started).toEqual(['b']);
    s.clear();
    expect(s.size).toBe(0);
  });
});
