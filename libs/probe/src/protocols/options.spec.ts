import {
  DEFAULT_PROTOCOL_OPTIONS,
  ProtocolOptionsError,
  resolveProtocolOptions,
  type ProtocolOptions,
} from './options.js';
import type { DnsOptions } from './dns/options.js';
import type { SnmpOptions } from './snmp/options.js';
import type { PluginOptions, ProtocolContext, ProtocolPlugin } from './plugin.js';
import { labContext } from '../testing/lab-ctx.js';
import { PluginRegistry, PROTOCOL_PLUGINS, register } from './registry.js';

const SECRET = 'Xk9-ops-secret';
const KEY = 'v3-auth-passphrase';

/** A scan's options with secrets in the SNMP namespace, as a worker holds them. */
const scanOptions: ProtocolOptions = {
  ...DEFAULT_PROTOCOL_OPTIONS,
  maxResponseBytes: 4096,
  snmp: {
    ...DEFAULT_PROTOCOL_OPTIONS.snmp,
    communities: [SECRET],
    v3Users: [{ user: 'u', authProtocol: 'sha256', authKey: KEY }],
  },
  dns: { queryName: 'h1.test' },
};

/** A plugin with options `O` that records every options object it is handed. */
function spyPlugin<O extends object>(): { plugin: ProtocolPlugin<O>; seen: PluginOptions<O>[] } {
  const seen: PluginOptions<O>[] = [];
  const plugin: ProtocolPlugin<O> = {
    name: 'spy',
    ports: { udp: [53] },
    describe: () => [],
    query: (ctx) => {
      seen.push(ctx.options);
      return Promise.resolve({ status: 'success', answered: true });
    },
    extraTimeoutMs: (options) => seen.push(options) && 0,
    prepare: (options) => {
      seen.push(options);
      return Promise.resolve();
    },
  };
  return { plugin, seen };
}

// What a careless caller might pass: the whole bag. The binding must still cut it.
const queryCtx: ProtocolContext = { ...labContext('127.0.0.1', 53), proto: 'udp', options: scanOptions };

describe('a plugin sees the common options and its own namespace only', () => {
  it('in query, extraTimeoutMs and prepare, whatever the caller passes', async () => {
    const { plugin, seen } = spyPlugin<DnsOptions>();
    const bound = register(plugin, (o) => o.dns).bind(scanOptions);
    await bound.query(queryCtx);
    bound.extraTimeoutMs!(scanOptions);
    await bound.prepare!(scanOptions);
    expect(seen).toHaveLength(3);
    for (const options of seen) {
      expect(options).toEqual({ maxResponseBytes: 4096, queryName: 'h1.test' });
      expect(JSON.stringify(options)).not.toContain(SECRET);
      expect(JSON.stringify(options)).not.toContain(KEY);
    }
  });

  it('the SNMP plugin gets its communities and v3 users through the registry', async () => {
    const { plugin: snmp, seen } = spyPlugin<SnmpOptions>();
    await register(snmp, (o) => o.snmp)
      .bind(scanOptions)
      .query(queryCtx);
    expect(seen).toEqual([{ maxResponseBytes: 4096, ...scanOptions.snmp }]);
  });

  it('is typed: a non-SNMP plugin cannot name the communities', () => {
    const read = (ctx: ProtocolContext<DnsOptions>) =>
      // @ts-expect-error communities are the SNMP plugin's, not in a DNS plugin's options
      ctx.options.communities as unknown;
    expect(read({ ...queryCtx, options: { maxResponseBytes: 1 } })).toBeUndefined();
  });

  it('every registered plugin is bound by the registry the engine uses', () => {
    const registry = new PluginRegistry('all', scanOptions);
    for (const entry of PROTOCOL_PLUGINS)
      for (const proto of ['tcp', 'udp'] as const)
        for (const port of entry.ports[proto] ?? [])
          expect(registry.pluginFor(proto, port)?.name).toBe(entry.name);
  });
});

describe('resolveProtocolOptions', () => {
  it('fills every namespace with its defaults', () => {
    expect(resolveProtocolOptions(undefined)).toEqual(DEFAULT_PROTOCOL_OPTIONS);
    expect(resolveProtocolOptions({})).toEqual({
      maxResponseBytes: 8192,
      snmp: { communities: ['public'], v3Discovery: true, v3Users: [] },
      dns: {},
      ftp: { anonymous: true },
    });
  });

  it('keeps the defaults of a namespace a user sets in part', () => {
    const o = resolveProtocolOptions({ snmp: { v3Discovery: false }, ftp: { anonymous: false } });
    expect(o.snmp).toEqual({ communities: ['public'], v3Discovery: false, v3Users: [] });
    expect(o.ftp).toEqual({ anonymous: false });
    expect(o.maxResponseBytes).toBe(8192);
  });

  it.each([
    [{ maxResponseBytes: 0 }, /^protocolOptions\.maxResponseBytes: /],
    [{ ftp: { anonymous: 'yes' } }, /^protocolOptions\.ftp\.anonymous: /],
    [{ dns: { queryName: 'bad name' } }, /^protocolOptions\.dns\.queryName: DNS query name has/],
    [{ snmp: { communities: [] } }, /^protocolOptions\.snmp\.communities: no SNMP community configured/],
    [{ snmp: { community: 'x' } }, /^protocolOptions\.snmp: Unrecognized key/],
    [{ smtp: {} }, /^protocolOptions: Unrecognized key/],
  ])('refuses %j, naming the field', (input, message) => {
    expect(() => resolveProtocolOptions(input)).toThrow(ProtocolOptionsError);
    expect(() => resolveProtocolOptions(input)).toThrow(message);
  });

  it('names the v3 user and field at fault, never a key', () => {
    const problem = (v3Users: unknown[]) => {
      try {
        resolveProtocolOptions({ snmp: { v3Users } });
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(problem([{ user: 'u', authProtocol: 'sha256', authKey: 'k3y' }])).toBe(
      'protocolOptions.snmp.v3Users[0].authKey: must be at least 8 characters',
    );
    expect(problem([{ user: 'u' }, { user: 'v', privProtocol: 'aes', privKey: 'priv-passphrase' }])).toBe(
      'protocolOptions.snmp.v3Users[1].authProtocol: privacy needs authentication',
    );
    expect(problem([{ user: 'u', authKey: 'auth-passphrase' }])).toBe(
      'protocolOptions.snmp.v3Users[0].authProtocol: authProtocol and authKey go together',
    );
    expect(problem([{ user: 'u\u0007' }])).toMatch(
      /^protocolOptions\.snmp\.v3Users\[0\]\.user: must not contain control/,
    );
    expect(problem(Array.from({ length: 17 }, () => ({ user: 'u' })))).toMatch(
      /^protocolOptions\.snmp\.v3Users: at most 16 SNMPv3 users/,
    );
    expect(problem([{ user: 'u', authProtocol: 'sha512', authKey: 'auth-passphrase' }])).toBeUndefined();
    expect(problem([{ user: 'u', authProtocol: 'sha256', authKey: 'k3y' }])).not.toContain('k3y');
  });
});
