import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InventoryError, loadInventoryFile, parseInventory } from './inventory-file.js';

describe('parseInventory', () => {
  it('validates a document and fills the defaults', () => {
    const inv = parseInventory(
      'ports: { tcp: "22" }\ntargets: [127.0.0.1, { address: 127.0.0.2 }]\n',
      'a.yaml',
    );
    expect(inv).toMatchObject({
      version: 1,
      ports: { tcp: '22' },
      targets: ['127.0.0.1', { address: '127.0.0.2', tags: [] }],
    });
  });

  it('names the file and the field of every problem', () => {
    const bad = () =>
      parseInventory(
        'ports: {}\ntargets:\n  - { address: "" }\n  - { address: a, colour: red }\n',
        'inv.yaml',
      );
    expect(bad).toThrow(InventoryError);
    expect(bad).toThrow(/^inv\.yaml: targets\[0\]\.address: .*; targets\[1\]: /);
    expect(() => parseInventory('targets: []\n', 'inv.yaml')).toThrow(/^inv\.yaml: ports: /);
    expect(() => parseInventory('- just\n- a list\n', 'inv.yaml')).toThrow(/^inv\.yaml: \(top level\): /);
  });

  it('refuses YAML that does not parse, and duplicate keys, with the parser’s first line', () => {
    expect(() => parseInventory('ports: { tcp: "22"\n', 'x.yaml')).toThrow(/^x\.yaml: not valid YAML: /);
    expect(() => parseInventory('ports: {}\nports: {}\n', 'x.yaml')).toThrow(
      /^x\.yaml: not valid YAML: .*uniq/i,
    );
  });
});

describe('loadInventoryFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fq-inventory-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, text: string) => {
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };

  it('adds imported targets (relative to the importing file) and merges block tags', async () => {
    await writeFile(join(dir, 'x'), '');
    await file(
      'dc.yaml',
      'ports: {}\ntargets: [{ address: 127.0.1.1, tags: [dc] }]\ntags: { "127.0.0.0/24": [lab, core] }\n',
    );
    const top = await file(
      'top.yaml',
      'name: fleet\nimports: [dc.yaml]\nports: { tcp: "22" }\ntargets: [127.0.0.1]\ntags: { "127.0.0.0/24": [lab] }\n',
    );
    const loaded = await loadInventoryFile(top);
    expect(loaded.name).toBe('fleet');
    expect(loaded.source).toBe(top);
    expect(loaded.hosts).toEqual([
      { address: '127.0.0.1', tags: [] },
      { address: '127.0.1.1', tags: ['dc'] },
    ]);
    expect(loaded.inventory.targets).toEqual(loaded.hosts);
    expect(loaded.inventory.tags).toEqual({ '127.0.0.0/24': ['lab', 'core'] });
    // The top file's own settings stay: imports bring targets and tags only.
    expect(loaded.inventory.ports).toEqual({ tcp: '22' });
  });

  it('is named after its path when it has no name', async () => {
    const top = await file('plain.yaml', 'ports: {}\ntargets: [127.0.0.1]\n');
    expect((await loadInventoryFile(top)).name).toBe(top);
  });

  it('refuses an import cycle, naming the chain', async () => {
    await file('a.yaml', 'ports: {}\nimports: [b.yaml]\ntargets: [127.0.0.1]\n');
    await file('b.yaml', 'ports: {}\nimports: [a.yaml]\n');
    await expect(loadInventoryFile(join(dir, 'a.yaml'))).rejects.toThrow(
      `${join(dir, 'a.yaml')}: import cycle (${join(dir, 'a.yaml')} → ${join(dir, 'b.yaml')} → ${join(dir, 'a.yaml')})`,
    );
  });

  it('refuses imports nested deeper than 8', async () => {
    for (let i = 0; i < 10; i++) await file(`n${i}.yaml`, `ports: {}\nimports: [n${i + 1}.yaml]\n`);
    await file('n10.yaml', 'ports: {}\ntargets: [127.0.0.1]\n');
    await expect(loadInventoryFile(join(dir, 'n0.yaml'))).rejects.toThrow(
      /n9\.yaml: imports nested deeper than 8$/,
    );
  });

  it('names an unreadable import and a file without any target', async () => {
    const top = await file('top.yaml', 'ports: {}\nimports: [missing.yaml]\ntargets: [127.0.0.1]\n');
    await expect(loadInventoryFile(top)).rejects.toThrow(
      `inventory ${join(dir, 'missing.yaml')}: cannot read it (ENOENT)`,
    );
    const empty = await file('empty.yaml', 'ports: {}\n');
    await expect(loadInventoryFile(empty)).rejects.toThrow(`${empty}: targets: no target given`);
    // An imported file may have no targets of its own.
    await file('tags-only.yaml', 'ports: {}\ntags: { "127.0.0.1": [x] }\n');
    const withTags = await file('t.yaml', 'ports: {}\nimports: [tags-only.yaml]\ntargets: [127.0.0.1]\n');
    expect((await loadInventoryFile(withTags)).inventory.tags).toEqual({ '127.0.0.1': ['x'] });
  });
});
