import { portList } from '../testing/scan-options.js';
import { excluded, HostCursor } from './host-cursor.js';
import type { ProbeTarget } from './port-probe.js';

const TARGET: ProbeTarget = { host: 'h', address: '127.0.0.9', family: 4 };

function drain(c: HostCursor): string[] {
  const out: string[] = [];
  while (c.pending) out.push(c.take().join('/'));
  return out;
}

describe('excluded', () => {
  it('is true inside any range, bounds included', () => {
    const ranges = [
      [10, 12],
      [20, 20],
    ] as const;
    expect([9, 10, 12, 13, 20, 21].map((p) => excluded(ranges, p))).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
    expect(excluded(undefined, 10)).toBe(false);
  });
});

describe('HostCursor', () => {
  const ports = { tcp: portList([22, 80, 443]), udp: portList([53, 161]) };

  it('yields TCP then UDP ports in order, without the host’s excluded ones', () => {
    const c = new HostCursor({ ...TARGET, exclude: { tcp: [[80, 80]], udp: [[161, 161]] } }, ports);
    expect(c.subnet).toBe('127.0.0');
    expect(drain(c)).toEqual(['tcp/22', 'tcp/443', 'udp/53']);
    expect(c.pending).toBe(false);
  });

  it('leaves out the TCP ports a native batch decides, and takes back those it did not', () => {
    const mask = new Uint8Array(65_536);
    mask[22] = mask[443] = 1;
    const c = new HostCursor(TARGET, ports, true, mask);
    expect(c.batched).toBe(true);
    expect(c.take()).toEqual(['tcp', 80]);
    c.putBack([443]);
    expect(drain(c)).toEqual(['tcp/443', 'udp/53', 'udp/161']);
  });

  it('takes back ports after it ran dry, and ignores an empty hand-back', () => {
    const c = new HostCursor(TARGET, { tcp: portList([7]), udp: portList([]) });
    c.putBack([]);
    expect(drain(c)).toEqual(['tcp/7']);
    c.putBack([8, 9]);
    expect(c.pending).toBe(true);
    expect(drain(c)).toEqual(['tcp/8', 'tcp/9']);
  });

  it('is not pending when every port is excluded', () => {
    const c = new HostCursor({ ...TARGET, exclude: { tcp: [[1, 65535]], udp: [[1, 65535]] } }, ports);
    expect(c.pending).toBe(false);
  });
});
