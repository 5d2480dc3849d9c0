// dnsmasq: authoritative-only (no upstream, no DHCP) A + PTR records for every lab host.
import path from 'node:path';

import type { PlanBuilder } from '../builder.js';
import { DOMAIN, hostLabel, hostName } from '../config.js';
import { writeFile } from '../util.js';

export function planDns(b: PlanBuilder): void {
  const hosts = b.with((r) => r.dns);
  const records = b.hosts
    .map((h) => `${h.truth.address} ${hostName(h.index)} ${hostLabel(h.index)}\n`)
    .join('');
  const hostsFile = path.join(b.cfg.conf, 'dns', 'hosts');
  writeFile(hostsFile, records);
  if (!hosts.length) return;
  b.launch({
    name: 'dnsmasq',
    comm: 'dnsmasq',
    cmd: [
      '/usr/sbin/dnsmasq',
      '-k',
      '--conf-file=/dev/null',
      '--port=53',
      '--bind-interfaces',
      `--listen-address=${hosts.map((h) => h.truth.address).join(',')}`,
      '--no-resolv',
      '--no-poll',
      '--no-hosts',
      `--addn-hosts=${hostsFile}`,
      `--local=/${DOMAIN}/`,
      `--domain=${DOMAIN}`,
      '--pid-file=',
      '--user=root',
      `--log-facility=${path.join(b.cfg.log, 'dnsmasq.log')}`,
    ],
  });
  for (const h of hosts) {
    b.listen(h, 'udp', 53, 'dnsmasq');
    b.listen(h, 'tcp', 53, 'dnsmasq');
    h.truth.banners['udp/53'] = b.versions.dnsmasq!;
    h.truth.banners['tcp/53'] = b.versions.dnsmasq!;
    b.tag(h, 'dns');
  }
}
