import type { LocalSnapshot, LocalSocket } from '@fleetqry/contracts';

import { buildHostView, interfaceAddresses } from './host-view.js';
import { backoffDelay, endpointUrl, PushError } from './push-client.js';

const sock = (over: Partial<LocalSocket>): LocalSocket => ({
  proto: 'tcp',
  family: 'ipv4',
  localAddress: '0.0.0.0',
  localPort: 22,
  remoteAddress: '0.0.0.0',
  remotePort: 0,
  state: 'LISTENING',
  inode: 1,
  pid: 1,
  process: 'sshd',
  ...over,
});

describe('agent pieces', () => {
  it('keeps listeners only (TCP LISTENING, unconnected UDP) and drops loaded modules', () => {
    const snapshot: LocalSnapshot = {
      host: 'h',
      takenAt: '2026-11-26T00:00:00.000Z',
      problems: ['Could not read x'],
      sockets: [
        sock({ modules: [{ path: '/usr/sbin/sshd', base: '0x1000' }] }),
        sock({ state: 'ESTABLISHED', remoteAddress: '10.0.0.9', remotePort: 5000, localPort: 22 }),
        sock({ state: 'TIME_WAIT', pid: null, process: null }),
        sock({ proto: 'udp', state: null, localPort: 53 }),
        sock({ proto: 'udp', state: null, localPort: 40000, remoteAddress: '10.0.0.53', remotePort: 53 }),
      ],
    };
    const body = buildHostView(snapshot, { addresses: ['127.0.0.1'], agentVersion: '0.1.0' });
    expect(body.hostname).toBe('h');
    expect(body.sockets.map((s) => `${s.proto}/${s.localPort}`)).toEqual(['tcp/22', 'udp/53']);
    expect(body.sockets[0]!.modules).toBeUndefined();
    expect(body.problems).toEqual(['Could not read x']);
  });

  it('lists interface addresses without zone ids', () => {
    const lo = { netmask: '', mac: '', internal: true, cidr: null };
    expect(
      interfaceAddresses({
        lo: [
          { ...lo, address: '127.0.0.1', family: 'IPv4' },
          { ...lo, address: '::1', family: 'IPv6', scopeid: 0 },
        ],
        eth0: [{ ...lo, internal: false, address: 'fe80::1%eth0', family: 'IPv6', scopeid: 2 }],
      }),
    ).toEqual(['127.0.0.1', '::1', 'fe80::1']);
  });

  it('backs off exponentially with jitter, capped, or as Retry-After says', () => {
    const o = { backoffMs: 1000, maxBackoffMs: 30_000 };
    expect(backoffDelay(0, o, () => 0)).toBe(500);
    expect(backoffDelay(0, o, () => 1)).toBe(1000);
    expect(backoffDelay(3, o, () => 1)).toBe(8000);
    expect(backoffDelay(10, o, () => 1)).toBe(30_000);
    expect(backoffDelay(0, o, () => 1, '7')).toBe(7000);
    expect(backoffDelay(0, o, () => 1, '3600')).toBe(30_000);
  });

  it('builds the endpoint URL and refuses URLs that could leak the token', () => {
    expect(endpointUrl('https://ctl.example:8443/').href).toBe('https://ctl.example:8443/host-views');
    expect(endpointUrl('http://127.0.0.1:3000/api').href).toBe('http://127.0.0.1:3000/api/host-views');
    for (const bad of ['ctl', 'ftp://ctl', 'https://u:p@ctl', 'https://ctl/?token=x'])
      expect(() => endpointUrl(bad)).toThrow(PushError);
  });
});
