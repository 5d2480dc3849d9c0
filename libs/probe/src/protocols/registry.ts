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
import type { ProtocolOptions, ProtocolPlugin } from './plugin.js';
import { pop3Plugin } from './pop3/index.js';
import { rpcPlugin } from './rpc/index.js';
import { smtpPlugin } from './smtp/index.js';
import { snmpPlugin } from './snmp/index.js';
import { sshPlugin } from './ssh/index.js';
import { tftpPlugin } from './tftp/index.js';

/** Every protocol query, by name. A new protocol is a folder under protocols/ and one line here. */
export const PROTOCOL_PLUGINS: readonly ProtocolPlugin[] = [
  snmpPlugin,
  ldapPlugin,
  dnsPlugin,
  smtpPlugin,
  pop3Plugin,
  imapPlugin,
  ftpPlugin,
  sshPlugin,
  httpPlugin,
  netbiosPlugin,
  mssqlPlugin,
  ntpPlugin,
  tftpPlugin,
  l2tpPlugin,
  isakmpPlugin,
  rpcPlugin,
  cldapPlugin,
];

export class UnknownProtocolError extends Error {
  constructor(readonly protocol: string) {
    super(`unknown protocol query "${protocol}" (known: ${PROTOCOL_PLUGINS.map((p) => p.name).join(', ')})`);
    this.name = 'UnknownProtocolError';
  }
}

/** Maps (proto, port) to the plugin that queries it; built once per scan from the enabled names. */
export class PluginRegistry {
  private readonly byPort = new Map<string, ProtocolPlugin>();

  constructor(enabled: readonly string[] | 'all' = 'all') {
    const names = enabled === 'all' ? PROTOCOL_PLUGINS.map((p) => p.name) : enabled;
    for (const name of names) {
      const plugin = PROTOCOL_PLUGINS.find((p) => p.name === name);
      if (!plugin) throw new UnknownProtocolError(name);
      for (const proto of ['tcp', 'udp'] as const)
        for (const port of plugin.ports[proto] ?? []) this.byPort.set(`${proto}/${port}`, plugin);
    }
  }

  /** Runs every enabled plugin's `prepare` (see ProtocolPlugin). */
  async prepare(options: ProtocolOptions): Promise<void> {
    await Promise.all(
      [...new Set(this.byPort.values())].map((p) => p.prepare?.(options) ?? Promise.resolve()),
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

  byName(name: string): ProtocolPlugin | undefined {
    return PROTOCOL_PLUGINS.find((p) => p.name === name);
  }
}
