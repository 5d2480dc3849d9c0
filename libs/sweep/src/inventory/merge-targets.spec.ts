import type { InventoryHost } from '@fleetqry/contracts';
import { ScanRequestError } from '@fleetqry/probe';

import { inventoryTargets } from './merge-targets.js';

const host = (address: string, over: Partial<InventoryHost> = {}): InventoryHost => ({
  address,
  tags: [],
  ...over,
});

describe('inventoryTargets', () => {
  it('probes a tagged host inside a block, and a repeated address, once', () => {
    expect(
      inventoryTargets([
        host('127.30.0.0/26'),
        host('127.30.0.14', { tags: ['iis'] }),
        host('127.31.0.1'),
        host('127.31.0.1'),
        host('127.30.0.70-80'),
        host('127.30.0.75'),
      ]),
    ).toEqual(['127.30.0.0-127.30.0.63', '127.31.0.1', '127.30.0.70-127.30.0.80']);
  });

  it('passes entries that overlap nothing as written, names and other families included', () => {
    const excluded = host('127.30.0.99', { excludePorts: '80' });
    expect(
      inventoryTargets([
        host('127.30.0.0/26'),
        excluded,
        host('h001.lab.example'),
        host('::1'),
        host('127.31.0.0/30'),
      ]),
    ).toEqual([
      '127.30.0.0/26',
      { target: '127.30.0.99', excludePorts: '80' },
      'h001.lab.example',
      '::1',
      '127.31.0.0/30',
    ]);
  });

  it('a host with its own excludePorts inside a block: probed once, its exclusions kept, the rest of the block as before', () => {
    expect(
      inventoryTargets([
        host('127.30.0.0/26'),
        host('127.30.0.14', { tags: ['fragile'], excludePorts: '80,snmp' }),
      ]),
    ).toEqual([
      '127.30.0.0-127.30.0.13',
      { target: '127.30.0.14', excludePorts: '80,snmp' },
      '127.30.0.15-127.30.0.63',
    ]);
  });

  it('an address gets the exclusions of every entry that covers it (never probe wins)', () => {
    expect(
      inventoryTargets([
        host('127.30.0.0/30', { excludePorts: '23' }),
        host('127.30.0.2', { excludePorts: '80' }),
        host('127.30.0.2-5'),
        host('127.30.0.2', { excludePorts: '23' }),
      ]),
    ).toEqual([
      { target: '127.30.0.0-127.30.0.1', excludePorts: '23' },
      { target: '127.30.0.2', excludePorts: '23,80' },
      { target: '127.30.0.3', excludePorts: '23' },
      '127.30.0.4-127.30.0.5',
    ]);
  });

  it('merges IPv6 overlaps in numeric order and keeps the families apart', () => {
    expect(
      inventoryTargets([
        host('2001:db8::/126'),
        host('2001:db8::3', { excludePorts: '22' }),
        host('127.0.0.3'),
        host('::1'),
      ]),
    ).toEqual(['2001:db8::-2001:db8::2', { target: '2001:db8::3', excludePorts: '22' }, '127.0.0.3', '::1']);
  });

  it('counts each address once, so max-hosts and progress see the real number', () => {
    const targets = inventoryTargets([
      host('127.30.0.0/24'),
      host('127.30.0.0/26', { tags: ['dmz'] }),
      host('127.30.0.7', { excludePorts: '445' }),
    ]);
    expect(targets).toEqual([
      '127.30.0.0-127.30.0.6',
      { target: '127.30.0.7', excludePorts: '445' },
      '127.30.0.8-127.30.0.255',
    ]);
  });

  it('a bad excludePorts names the entry that has it, not a merged piece', () => {
    expect(() =>
      inventoryTargets([host('127.30.0.0/26'), host('127.30.0.14', { excludePorts: '80-' })]),
    ).toThrow(ScanRequestError);
    expect(() =>
      inventoryTargets([host('127.30.0.0/26'), host('127.30.0.14', { excludePorts: '80-' })]),
    ).toThrow(/^targets\[127\.30\.0\.14\]\.excludePorts: /);
  });
});
