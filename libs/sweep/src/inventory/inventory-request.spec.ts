import type { InventoryHost } from '@fleetqry/contracts';

import { parseInventory, type LoadedInventory } from './inventory-file.js';
import { inventoryScanRequest, policyHosts } from './inventory-request.js';

/** An inventory as loadInventoryFile returns it, from one YAML document (no imports). */
function loaded(yaml: string): LoadedInventory {
  const inventory = parseInventory(yaml, 'fleet.yaml');
  const hosts: InventoryHost[] = inventory.targets.map((t) =>
    typeof t === 'string' ? { address: t, tags: [] } : t,
  );
  return {
    inventory,
    hosts,
    origins: hosts.map((_, i) => ({ file: '/inv/fleet.yaml', line: i + 1 })),
    source: '/inv/fleet.yaml',
    name: 'fleet',
  };
}

const base = {
  scope: { allow: ['127.0.0.0/8'] },
  maxHosts: 256,
  communities: ['site-community'],
  queries: ['snmp'],
  protocolOptions: { maxResponseBytes: 4096, snmp: { v3Discovery: false } },
  ports: { defaultExcludedPorts: '9100' },
};

describe('inventoryScanRequest', () => {
  it("takes ports from the inventory and keeps the site's default exclusions and settings", () => {
    const request = inventoryScanRequest(
      loaded('targets: [127.30.0.1]\nports: { tcp: "22,80", udp: "161", groups: [web], exclude: "8080" }\n'),
      base,
    );
    expect(request.ports).toEqual({
      defaultExcludedPorts: '9100',
      tcp: '22,80',
      udp: '161',
      groups: ['web'],
      excludePorts: '8080',
    });
    expect(request.scope).toBe(base.scope);
    expect(request.maxHosts).toBe(256);
    expect(request.targets).toEqual(['127.30.0.1']);
  });

  it("uses the site's communities and queries when the inventory names none", () => {
    const request = inventoryScanRequest(loaded('targets: [127.30.0.1]\nports: { tcp: "22" }\n'), base);
    expect(request.communities).toEqual(['site-community']);
    expect(request.queries).toEqual(['snmp']);
    expect(request.protocolOptions).toEqual(base.protocolOptions);
  });

  it("prefers the inventory's communities and checks over the site's", () => {
    const request = inventoryScanRequest(
      loaded(
        'targets: [127.30.0.1]\nports: { udp: "161" }\nsnmp: { communities: [lab] }\nchecks: [ldap, dns]\n',
      ),
      base,
    );
    expect(request.communities).toEqual(['lab']);
    expect(request.queries).toEqual(['ldap', 'dns']);
  });

  it("adds the inventory's SNMPv3 users to the site's protocol options without dropping them", () => {
    const request = inventoryScanRequest(
      loaded('targets: [127.30.0.1]\nports: { udp: "161" }\nsnmp: { v3Users: [{ user: ops }] }\n'),
      base,
    );
    expect(request.protocolOptions).toEqual({
      maxResponseBytes: 4096,
      snmp: { v3Discovery: false, v3Users: [{ user: 'ops' }] },
    });
  });

  it('merges overlapping entries into one target per address', () => {
    const request = inventoryScanRequest(
      loaded('targets: [127.30.0.5, { address: 127.30.0.5, tags: [web] }]\nports: { tcp: "22" }\n'),
      base,
    );
    expect(request.targets).toHaveLength(1);
  });
});

describe('policyHosts', () => {
  it("gives every host the inventory's owner unless it names its own", () => {
    const hosts = policyHosts(
      loaded(
        [
          'owner: netops',
          'targets:',
          '  - 127.30.0.1',
          '  - { address: 127.30.0.2, name: dc1, tags: [dc], owner: ad-team, groups: [core] }',
          'ports: { tcp: "22" }',
        ].join('\n'),
      ),
    );
    expect(hosts).toEqual([
      { address: '127.30.0.1', tags: [], owner: 'netops' },
      { address: '127.30.0.2', name: 'dc1', tags: ['dc'], owner: 'ad-team', groups: ['core'] },
    ]);
  });

  it('leaves the owner out when neither the host nor the inventory has one', () => {
    expect(policyHosts(loaded('targets: [127.30.0.1]\nports: { tcp: "22" }\n'))).toEqual([
      { address: '127.30.0.1', tags: [] },
    ]);
  });

  it('adds each block of the tags map as a host of its own, after the host entries', () => {
    const hosts = policyHosts(
      loaded(
        'targets: [127.30.0.1]\nports: { tcp: "22" }\ntags: { "127.30.0.0/28": [iis], "127.30.0.64/30": [ups, ot] }\n',
      ),
    );
    expect(hosts).toEqual([
      { address: '127.30.0.1', tags: [] },
      { address: '127.30.0.0/28', tags: ['iis'] },
      { address: '127.30.0.64/30', tags: ['ups', 'ot'] },
    ]);
  });
});
