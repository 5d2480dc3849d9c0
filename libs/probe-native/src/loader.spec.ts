import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ipv4ToUint32, loadProbeNative } from './index.js';

describe('probe-native loader', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'fq-native-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns undefined when the binary is absent', () => {
    expect(loadProbeNative(pathToFileURL(join(dir, 'missing.node')))).toBeUndefined();
  });

  it('returns undefined when the binary cannot be loaded', () => {
    const bogus = join(dir, 'bogus.node');
    writeFileSync(bogus, 'not an ELF shared object');
    expect(loadProbeNative(pathToFileURL(bogus))).toBeUndefined();
  });

  it('returns undefined when FLEETQRY_TCP_ENGINE=connect', () => {
    const before = process.env.FLEETQRY_TCP_ENGINE;
    process.env.FLEETQRY_TCP_ENGINE = 'connect';
    try {
      expect(
        loadProbeNative(new URL('../build/Release/fleetqry_probe_native.node', import.meta.url)),
      ).toBeUndefined();
    } finally {
      if (before === undefined) delete process.env.FLEETQRY_TCP_ENGINE;
      else process.env.FLEETQRY_TCP_ENGINE = before;
    }
  });

  it('converts dotted quads to host-order integers', () => {
    expect(ipv4ToUint32('127.0.0.1')).toBe(0x7f000001);
    expect(ipv4ToUint32('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4ToUint32('256.0.0.1')).toBeUndefined();
    expect(ipv4ToUint32('::1')).toBeUndefined();
  });
});
