/**
 * Test helper (integration specs and benches): a Net-SNMP agent of the test's own on `address:161`,
 * with the given snmpd.conf lines, its state (USM users, engine boots) in a temporary directory.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { type DaemonProcess, spawnUntilReady } from './lab-daemons.js';

export const SNMPD = '/usr/sbin/snmpd';

export async function startSnmpd(spec: {
  name: string;
  address: string;
  /** snmpd.conf lines (createUser, rouser, rocommunity, engineID, sysName …). */
  conf: readonly string[];
  /** A directory the test owns (config, pid file, persistent state). */
  dir: string;
}): Promise<DaemonProcess> {
  const conf = path.join(spec.dir, `${spec.name}.conf`);
  const pid = path.join(spec.dir, `${spec.name}.pid`);
  writeFileSync(conf, `${spec.conf.join('\n')}\n`);
  return spawnUntilReady({
    name: `snmpd ${spec.name}`,
    command: SNMPD,
    // -C: only this config; -m '': no MIB loading; -I: no modules that need a master agent or traps.
    args: [
      '-f',
      '-Lo',
      '-C',
      '-c',
      conf,
      '-p',
      pid,
      '-m',
      '',
      '-I',
      '-smux,mteTrigger,mteTriggerConf',
      `udp:${spec.address}:161`,
    ],
    env: { SNMP_PERSISTENT_DIR: path.join(spec.dir, `${spec.name}-state`) },
    pollMs: 50,
    // snmpd writes its pid file once its transports are bound.
    ready: () => Promise.resolve(existsSync(pid)),
    notReady: `did not start on ${spec.address}:161`,
  });
}
