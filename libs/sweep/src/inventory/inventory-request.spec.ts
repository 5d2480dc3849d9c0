import type { InventoryHost } from '@fleetqry/contracts';

import { uniqueTargets } from './inventory-request.js';

const host = (address: string, over: Partial<InventoryHost> = {}): InventoryHost => ({
  address,
  tags: [],
  ...over,
});

describe('uniqueTargets', () => {
  it('probes a tagged host inside a block, and a repeated address, once', () => {
    const block = host('127.30.0.0/26');
    const tagged = host('127.30.0.14', { tags: ['iis'] });
    const outside = host('127.31.0.1');
    expect(
      uniqueTargets([
        block,
        tagged,
        outside,
        host('127.31.0.1'),
        host('127.30.0.70-80'),
        host('127.30.0.75'),
      ]),
    ).toEqual([block, outside, host('127.30.0.70-80')]);
  });

  it('keeps an entry with its own port exclusions, names, and other families', () => {
    const excluded = host('127.30.0.14', { excludePorts: '80' });
    const named = host('h001.lab.example');
    expect(uniqueTargets([host('127.30.0.0/26'), excluded, named, host('::1'), host('127.0.0.0/8')])).toEqual(
      [host('127.30.0.0/26'), excluded, named, host('::1'), host('127.0.0.0/8')],
    );
  });
});
