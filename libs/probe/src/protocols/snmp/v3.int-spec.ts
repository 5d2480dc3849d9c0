/**
 * SNMPv3 engine discovery riding along the community sweep, against Net-SNMP agents on 127.44.0.6
 * (v3 only: a USM user, no community) and 127.44.0.7 (`rocommunity public`). The port's state is still
 * decided by the communities: the v3-only agent reveals its engine but stays `rejected` (FILTERED).
 */
import { daemonsInstalled, type DaemonProcess, tempDir } from '../../testing/lab-daemons.js';
import { SNMPD, startSnmpd } from '../../testing/snmpd.js';
import { pluginDefaults } from '../../testing/lab-ctx.js';
import { type ProtocolContext } from '../plugin.js';
import { snmpPlugin } from './index.js';
import type { SnmpOptions } from './options.js';

const V3ONLY = '127.44.0.6';
const PUBLIC = '127.44.0.7';

const ctx = (
  address: string,
  communities: string[],
  extra: Partial<SnmpOptions> = {},
): ProtocolContext<SnmpOptions> => ({
  host: address,
  address,
  port: 161,
  proto: 'udp',
  timeoutMs: 1000,
  signal: new AbortController().signal,
  options: { ...pluginDefaults('snmp'), communities, ...extra },
});

const run = daemonsInstalled('snmp v3 discovery against snmpd', [SNMPD]);
(run ? describe : describe.skip)('SNMPv3 engine discovery against snmpd', () => {
  const tmp = tempDir('snmpv3');
  const agents: DaemonProcess[] = [];

  beforeAll(async () => {
    const conf = (name: string, address: string, lines: string[]) =>
      startSnmpd({ name, address, conf: lines, dir: tmp.dir });
    agents.push(
      await conf('v3only', V3ONLY, [
        'createUser labuser SHA "authpass123" AES "privpass123"',
        'rouser labuser',
        'engineID fleetqry-lab44',
      ]),
      await conf('public', PUBLIC, ['rocommunity public']),
    );
  }, 20_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    tmp.remove();
  });

  it('a v3-only agent: engine id, boots and time, but the port stays rejected (FILTERED)', async () => {
    const r = await snmpPlugin.query(ctx(V3ONLY, ['public', 'private']));
    expect(r).toMatchObject({ status: 'rejected', answered: false });
    expect(r.data?.snmp?.engine).toMatchObject({
      engineId: '80001f8804666c6565747172792d6c61623434',
      enterprise: 8072,
      format: 'text',
      data: 'fleetqry-lab44',
    });
    expect(r.data?.snmp?.engine?.boots).toBeGreaterThanOrEqual(1);
    expect(r.data?.snmp?.engine?.time).toBeGreaterThanOrEqual(0);
  });

  it('a community agent: success as before, plus its engine, with no extra wait', async () => {
    const t0 = performance.now();
    const r = await snmpPlugin.query(ctx(PUBLIC, ['public']));
    expect(performance.now() - t0).toBeLessThan(300);
    expect(r).toMatchObject({
      status: 'success',
      answered: true,
      data: { snmp: { communities: ['public'] } },
    });
    expect(r.data?.snmp?.engine).toMatchObject({ enterprise: 8072, format: 'net-snmp-random' });
  });

  it('v3Discovery: false sends no v3 request', async () => {
    const r = await snmpPlugin.query(ctx(PUBLIC, ['public'], { v3Discovery: false }));
    expect(r.status).toBe('success');
    expect(r.data?.snmp?.engine).toBeUndefined();
  });
});
