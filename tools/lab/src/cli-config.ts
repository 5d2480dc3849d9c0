// The fleetqry config for this lab instance: the site defaults plus the lab's own DNS server. The
// repository's fleetqry.config.yaml has no DNS server, so that a fresh clone resolves names with the
// system resolver; tests, benches and lab users pass this file explicitly (`--config`).
import fs from 'node:fs';
import path from 'node:path';

import type { GroundTruth } from './types.js';

export const CLI_CONFIG_FILE = 'fleetqry.config.yaml';

function cliConfigText(truth: Pick<GroundTruth, 'dnsServer'>): string {
  return [
    '# Written by tools/lab (lab.sh up / lab.sh config): fleetqry settings for this lab instance.',
    'scope:',
    "  allow: [127.0.0.0/8, '::1/128']",
    '  deny: []',
    '# Port 2024 on the development machines belongs to a foreign service listening on every address.',
    "excludePorts: '2024'",
    "# Names and reverse lookups go to the lab's dnsmasq, never to the machine's resolver (not on loopback).",
    `dnsServers: ['${truth.dnsServer}']`,
    'maxHosts: 65536',
    '',
  ].join('\n');
}

/** Writes `$LAB_STATE/fleetqry.config.yaml` atomically and returns its path. */
export function writeCliConfig(state: string, truth: Pick<GroundTruth, 'dnsServer'>): string {
  const file = path.join(state, CLI_CONFIG_FILE);
  fs.writeFileSync(`${file}.tmp`, cliConfigText(truth));
  fs.renameSync(`${file}.tmp`, file);
  return file;
}
