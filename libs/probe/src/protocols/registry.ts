import type { Proto } from '@fleetqry/contracts';

import { cldapPlugin } from './cldap/index.js';
import { dnsPlugin } from './dns/index.js';
import { ftpPlugin } from './ftp/index.js';
import { httpPlugin } from './http/index.js';
import { imapPlugin } from './imap/index.js';
import { isakmpPlugin } from './isakmp/index.js';
import { l2tpPlugin } from './l2tp/index.js';
import { ldapPlugin } from './ldap/index.js';
import { mssqlPlugin } from './mssql/index.js';
import { netbiosPlugin } from './netbios/index.js';
import { ntpPlugin } from './ntp/index.js';
import {
  commonProtocolOptions,
  DEFAULT_PROTOCOL_OPTIONS,
  type CommonProtocolOptions,
  type ProtocolOptions,
} from './options.js';
import type { NoOptions, PluginOptions, ProtocolPlugin } from './plugin.js';
import { pop3Plugin } from './pop3/index.js';
import { rpcPlugin } from './rpc/index.js';
import { smtpPlugin } from './smtp/index.js';
import { snmpPlugin } from './snmp/index.js';
import { sshPlugin } from './ssh/index.js';
import { tftpPlugin } from './tftp/index.js';

/** A registry line: a plugin, and how it is bound to the scan's options. */
export interface RegisteredPlugin {
  readonly name: string;
  readonly ports: ProtocolPlugin['ports'];
  readonly describe: ProtocolPlugin['describe'];
  /** The plugin with its own options fixed: what the engine runs, handing it only the common options. */
  bind(options: ProtocolOptions): ProtocolPlugin;
}

/** A registry line for `plugin`, whose own options are the namespace `own` picks from the scan's. */
export function register<O extends object>(
  plugin: ProtocolPlugin<O>,
  own: (options: ProtocolOptions) => O,
): RegisteredPlugin {
  const describe: ProtocolPlugin['describe'] = (obs, opts) => plugin.describe(obs, opts);
  return {
    name: plugin.name,
    ports: plugin.ports,
    describe,
    bind: (options) => {
      const mine = own(options);
      // Secrets boundary: the common options and this plugin's namespace; no other's (SNMP communities, keys).
      const view = (common: CommonProtocolOptions): PluginOptions<O> => ({
        ...commonProtocolOptions(common),
        ...mine,
      });
      return {
        name: plugin.name,
        ports: plugin.ports,
        query: (ctx) => plugin.query({ ...ctx, options: view(ctx.options) }),
        describe,
        ...(plugin.extraTimeoutMs
          ? { extraTimeoutMs: (common) => plugin.extraTimeoutMs!(view(common)) }
          : {}),
        ...(plugin.prepare ? { prepare: (common) => plugin.prepare!(view(common)) } : {}),
      };
    },
  };
}

const none = (): NoOptions => ({});

/** Every protocol query, by name. A new protocol is a folder under protocols/ and one line here. */
export const PROTOCOL_PLUGINS: readonly RegisteredPlugin[] = [
  register(snmpPlugin, (o) => o.snmp),
  register(ldapPlugin, none),
  register(dnsPlugin, (o) => o.dns),
  register(smtpPlugin, none),
  register(pop3Plugin, none),
  register(imapPlugin, none),
  register(ftpPlugin, (o) => o.ftp),
  register(sshPlugin, none),
  register(httpPlugin, none),
  register(netbiosPlugin, none),
  register(mssqlPlugin, none),
  register(ntpPlugin, none),
  register(tftpPlugin, none),
  register(l2tpPlugin, none),
  register(isakmpPlugin, none),
  register(rpcPlugin, none),
  register(cldapPlugin, none),
];

export class UnknownProtocolError extends Error {
  constructor(readonly protocol: string) {
    super(`unknown protocol query "${protocol}" (known: ${PROTOCOL_PLUGINS.map((p) => p.name).join(', ')})`);
    this.name = 'UnknownProtocolError';
  }
}

/**
 * Maps (proto, port) to the plugin that queries it, bound to the scan's options; built once per scan from
 * the enabled names (without options: the defaults, for a registry that only looks plugins up).
 */
export class PluginRegistry {
  private readonly byPort = new Map<string, ProtocolPlugin>();

  constructor(
    enabled: readonly string[] | 'all' = 'all',
    private readonly options: ProtocolOptions = DEFAULT_PROTOCOL_OPTIONS,
  ) {
    const names = enabled === 'all' ? PROTOCOL_PLUGINS.map((p) => p.name) : enabled;
    for (const name of names) {
      const plugin = PROTOCOL_PLUGINS.find((p) => p.name === name);
      if (!plugin) throw new UnknownProtocolError(name);
      const bound = plugin.bind(options);
      for (const proto of ['tcp', 'udp'] as const)
        for (const port of plugin.ports[proto] ?? []) this.byPort.set(`${proto}/${port}`, bound);
    }
  }

  /** Runs every enabled plugin's `prepare` (see ProtocolPlugin). */
  async prepare(): Promise<void> {
    await Promise.all(
      [...new Set(this.byPort.values())].map((p) => p.prepare?.(this.options) ?? Promise.resolve()),
    );
  }

  static none(): PluginRegistry {
    return new PluginRegistry([]);
  }

  pluginFor(proto: Proto, port: number): ProtocolPlugin | undefined {
    return this.byPort.get(`${proto}/${port}`);
  }

  /** Whether any enabled plugin queries a port in these inclusive ranges. */
  queriesAny(proto: Proto, ranges: readonly (readonly [number, number])[]): boolean {
    for (const key of this.byPort.keys()) {
      const [p, port] = key.split('/') as [Proto, string];
      if (p === proto && ranges.some(([a, b]) => Number(port) >= a && Number(port) <= b)) return true;
    }
    return false;
  }

  byName(name: string): RegisteredPlugin | undefined {
    return PROTOCOL_PLUGINS.find((p) => p.name === name);
  }
}
