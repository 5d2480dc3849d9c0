import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadInventoryFile } from './inventory-file.js';
import { findSourceRoot, inventorySources, storedInventoryOrigins } from './inventory-sources.js';

describe('inventory entry lines', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleetqry-sources-'));
    mkdirSync(join(dir, 'repo/.git'), { recursive: true });
    mkdirSync(join(dir, 'repo/infra/sites'), { recursive: true });
    writeFileSync(
      join(dir, 'repo/infra/fleet.yaml'),
      [
        '# the fleet',
        'name: fleet',
        'targets:',
        '  - 127.30.0.0/26',
        '',
        '  - address: 127.30.0.14',
        '    tags: [iis]',
        '  - { address: 127.30.0.70-80 }',
        'imports: [sites/branch.json]',
        'ports: { tcp: "22" }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'repo/infra/sites/branch.json'),
      '{\n  "targets": [\n    "127.31.0.1",\n    {"address": "h001.lab.example"}\n  ],\n  "ports": {}\n}\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records the line of every target, in YAML and in imported JSON', async () => {
    const loaded = await loadInventoryFile(join(dir, 'repo/infra/fleet.yaml'));
    expect(loaded.hosts.map((h, i) => [h.address, loaded.origins[i]!.line])).toEqual([
      ['127.30.0.0/26', 4],
      ['127.30.0.14', 6],
      ['127.30.0.70-80', 8],
      ['127.31.0.1', 3],
      ['h001.lab.example', 4],
    ]);
    expect(loaded.origins.map((o) => o.file.slice(dir.length))).toEqual([
      '/repo/infra/fleet.yaml',
      '/repo/infra/fleet.yaml',
      '/repo/infra/fleet.yaml',
      '/repo/infra/sites/branch.json',
      '/repo/infra/sites/branch.json',
    ]);
    const root = findSourceRoot(loaded.source);
    expect(root).toBe(join(dir, 'repo'));
    expect(inventorySources(loaded, { top: loaded.source, root })).toEqual({
      root,
      files: [loaded.source, join(dir, 'repo/infra/sites/branch.json')],
      entries: [
        ['127.30.0.0/26', 0, 4],
        ['127.30.0.14', 0, 6],
        ['127.30.0.70-80', 0, 8],
        ['127.31.0.1', 1, 3],
        ['h001.lab.example', 1, 4],
      ],
    });
  });

  it('roots paths at the git work tree, else the working directory, else the file', () => {
    writeFileSync(join(dir, 'loose.yaml'), 'targets: [127.0.0.1]\nports: {}\n');
    expect(findSourceRoot(join(dir, 'repo/infra/sites/branch.json'))).toBe(join(dir, 'repo'));
    expect(findSourceRoot(join(dir, 'loose.yaml'), dir)).toBe(dir);
    expect(findSourceRoot(join(dir, 'loose.yaml'), '/nonexistent/elsewhere')).toBe(dir);
  });

  it("anchors a stored inventory's hosts at their position in its target list", () => {
    const doc = [{ address: '127.30.0.0/26' }, { address: '127.30.0.14' }, { address: '127.31.0.1' }];
    // The controller loads hosts in address order, narrowed by the scan's selector.
    expect(
      storedInventoryOrigins('lab', doc, [{ address: '127.31.0.1' }, { address: '127.30.0.14' }]),
    ).toEqual([
      { file: 'inventories/lab', line: 3 },
      { file: 'inventories/lab', line: 2 },
    ]);
  });
});
