import { GroupDefinitionError } from '@fleetqry/probe';

import { storedGroupCatalog } from './stored-groups.js';

describe('storedGroupCatalog', () => {
  it('adds stored groups beside the built-in ones', () => {
    const catalog = storedGroupCatalog([{ name: 'backup', tcp: '10000-10002', udp: '10000' }]);
    expect(catalog.ports('backup', 'tcp').toString()).toBe('10000-10002');
    expect(catalog.ports('backup', 'udp').toString()).toBe('10000');
    expect(catalog.has('web')).toBe(true);
  });

  it('reads null columns as absent: no ports of that protocol, no description', () => {
    const catalog = storedGroupCatalog([{ name: 'mgmt', tcp: '22', udp: null, description: null }]);
    expect(catalog.ports('mgmt', 'udp').toString()).toBe('');
    expect(catalog.get('mgmt')).not.toHaveProperty('description');
  });

  it('keeps the description', () => {
    expect(
      storedGroupCatalog([{ name: 'mgmt', tcp: '22', description: 'SSH' }]).get('mgmt').description,
    ).toBe('SSH');
  });

  it('refuses a stored group that would shadow a built-in, naming the stored groups as the source', () => {
    const attempt = () => storedGroupCatalog([{ name: 'web', tcp: '8443' }]);
    expect(attempt).toThrow(GroupDefinitionError);
    expect(attempt).toThrow(/stored service groups[\s\S]*groups\.web/);
  });

  it('refuses a port list that does not parse', () => {
    expect(() => storedGroupCatalog([{ name: 'bad', tcp: 'ssh-ish' }])).toThrow();
  });
});
