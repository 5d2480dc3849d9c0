import { PortSet } from '@fleetqry/contracts';

import { EmptyPortSelectionError, PortParseError, UnknownGroupError } from './errors.js';
import { GroupCatalog } from './groups.js';
import { probeCount, resolveScanPorts } from './scan-ports.js';

describe('resolveScanPorts', () => {
  it('ports go to TCP by default, like PortQry -p', () => {
    const r = resolveScanPorts({ ports: '80,443' });
    expect(r.tcp.toArray()).toEqual([80, 443]);
    expect(r.udp.isEmpty).toBe(true);
  });

  it('protocol both applies ports to each protocol; one-protocol names only where defined', () => {
    const r = resolveScanPorts({ protocol: 'both', ports: '53,snmp' });
    expect(r.tcp.toArray()).toEqual([53]);
    expect(r.udp.toArray()).toEqual([53, 161]);
    expect(probeCount(r)).toBe(3);
  });

  it('groups keep their own protocols unless protocol filters them', () => {
    const all = resolveScanPorts({ groups: ['domains-and-trusts'] });
    expect(all.tcp.size).toBe(10);
    expect(all.udp.size).toBe(5);
    const udpOnly = resolveScanPorts({ groups: ['domains-and-trusts'], protocol: 'udp' });
    expect(udpOnly.tcp.isEmpty).toBe(true);
    expect(udpOnly.udp.toArray()).toEqual([53, 88, 137, 138, 389]);
  });

  it('combines ports, per-protocol lists and groups', () => {
    const r = resolveScanPorts({ ports: '22', udp: '123', groups: ['web', 'sql'] });
    expect(r.tcp.toArray()).toEqual([22, 80, 443, 1433]);
    expect(r.udp.toArray()).toEqual([123, 1434]);
  });

  it('exclusions apply after expansion and are reported', () => {
    const r = resolveScanPorts({
      protocol: 'both',
      ports: '2000-2100',
      excludePorts: '2050-2059',
      defaultExcludedPorts: '2024', // the CLI config supplies this list
    });
    expect(r.tcp.size).toBe(101 - 10 - 1);
    expect(r.tcp.has(2024)).toBe(false);
    expect(r.excluded.tcp.toString()).toBe('2024,2050-2059');
    expect(r.excluded.udp.toString()).toBe('2024,2050-2059');
  });

  it('accepts PortSets (e.g. from PortQry -r) and a PortSet default exclusion', () => {
    const r = resolveScanPorts({
      ports: PortSet.fromRanges([[2020, 2030]]),
      defaultExcludedPorts: PortSet.of(2024),
    });
    expect(r.tcp.toString()).toBe('2020-2023,2025-2030');
  });

  it('without a configured default exclusion nothing is excluded', () => {
    expect(resolveScanPorts({ ports: '2024' }).tcp.toArray()).toEqual([2024]);
  });

  it('uses user groups from the catalog', () => {
    const catalog = GroupCatalog.fromYaml('groups:\n  lab:\n    tcp: "8000-8002"\n');
    expect(resolveScanPorts({ groups: ['lab'] }, catalog).tcp.toArray()).toEqual([8000, 8001, 8002]);
  });

  it('errors: unknown group, bad port, nothing requested, everything excluded, conflicting protocol', () => {
    expect(() => resolveScanPorts({ groups: ['nosuch'] })).toThrow(UnknownGroupError);
    expect(() => resolveScanPorts({ ports: '1-' })).toThrow(PortParseError);
    expect(() => resolveScanPorts({ excludePorts: 'abc', ports: '80' })).toThrow('invalid port "abc"');
    expect(() => resolveScanPorts({})).toThrow(new EmptyPortSelectionError('no ports requested'));
    expect(() => resolveScanPorts({ ports: '2024', defaultExcludedPorts: '2024' })).toThrow(
      'every requested port is excluded (excluded: tcp 2024)',
    );
    expect(() => resolveScanPorts({ protocol: 'tcp', udp: '53' })).toThrow(
      /udp ports were given but protocol is tcp/,
    );
  });
});
