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

  it('returns undefined when FLEETQRY_NATIVE=0 or off, and loads both batch scans otherwise', () => {
    const binary = new URL('../build/Release/fleetqry_probe_native.node', import.meta.url);
    const before = { native: process.env.FLEETQRY_NATIVE, engine: process.env.FLEETQRY_TCP_ENGINE };
    const restore = (key: string, value: string | undefined) => {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    };
    try {
      for (const off of ['0', 'off']) {
        process.env.FLEETQRY_NATIVE = off;
        expect(loadProbeNative(binary)).toBeUndefined();
      }
      delete process.env.FLEETQRY_NATIVE;
      // FLEETQRY_TCP_ENGINE=connect still loads the addon: its connect batches need no privilege.
      process.env.FLEETQRY_TCP_ENGINE = 'connect';
      const native = loadProbeNative(binary);
      expect(typeof native?.synScan).toBe('function');
      expect(typeof native?.connectScan).toBe('function');
    } finally {
      restore('FLEETQRY_NATIVE', before.native);
      restore('FLEETQRY_TCP_ENGINE', before.engine);
    }
  });

  it('converts dotted quads to host-order integers', () => {
    expect(ipv4ToUint32('127.0.0.1')).toBe(0x7f000001);
    expect(ipv4ToUint32('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4ToUint32('256.0.0.1')).toBeUndefined();
    expect(ipv4ToUint32('::1')).toBeUndefined();
  });
});
