import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InventoryError } from './inventory/inventory-file.js';
import { loadPolicy, loadWaivers } from './policy-source.js';

describe('policy and waiver files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fq-policy-source-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes a built-in policy by name before any file', async () => {
    const baseline = await loadPolicy('baseline');
    expect(baseline.metadata.name).toBe('baseline');
    expect(baseline.rules.length).toBeGreaterThan(0);
  });

  it('reads a policy file; the policy lib names the file of an invalid one', async () => {
    const path = join(dir, 'mine.yaml');
    await writeFile(
      path,
      'apiVersion: fleetqry/v1\nkind: Policy\nmetadata: { name: mine, version: 1 }\nrules:\n' +
        '  - { id: c.public, type: snmp-community, severity: critical, title: p, communities: [public] }\n',
    );
    const mine = await loadPolicy(path);
    expect(mine.metadata.name).toBe('mine');
    expect(mine.rules.map((r) => r.id)).toEqual(['c.public']);

    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'apiVersion: fleetqry/v1\nkind: Policy\nmetadata: { name: Bad Name, version: 1 }\nrules: []\n',
    );
    await expect(loadPolicy(bad)).rejects.toThrow(bad);
  });

  it('says what a name is when it is neither a built-in policy nor a file', async () => {
    const missing = join(dir, 'nope.yaml');
    await expect(loadPolicy(missing)).rejects.toThrow(
      new InventoryError(`policy "${missing}": neither a built-in policy (baseline) nor a readable file`),
    );
    await expect(loadPolicy(dir)).rejects.toThrow(`policy ${dir}: cannot read it (EISDIR)`);
  });

  it('reads a waivers file and names an unreadable one', async () => {
    const path = join(dir, 'waivers.yaml');
    await writeFile(
      path,
      'waivers:\n  - { id: W-1, rule: tcp.telnet, address: 127.0.0.1, owner: ops, reason: lab, expiresAt: "2099-01-01T00:00:00Z" }\n',
    );
    const waivers = await loadWaivers(path);
    expect(waivers).toHaveLength(1);
    expect(waivers[0]).toMatchObject({ id: 'W-1', rule: 'tcp.telnet', address: '127.0.0.1', owner: 'ops' });
    await writeFile(path, 'waivers:\n  - { id: W-2, rule: r }\n');
    await expect(loadWaivers(path)).rejects.toThrow(path);
    await expect(loadWaivers(dir)).rejects.toThrow(`waivers ${dir}: cannot read it (EISDIR)`);
  });
});
