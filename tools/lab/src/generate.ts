// Builds the plan: roles per host, every daemon's config under $LAB_STATE/conf, plan.json and the nft file.
import fs from 'node:fs';
import path from 'node:path';

import { PlanBuilder, type HostDraft } from './builder.js';
import { DOMAIN, hostAddr, hostName, type LabConfig } from './config.js';
import { planDns } from './daemons/dns.js';
import { planFtp } from './daemons/ftp.js';
import { planLdap } from './daemons/ldap.js';
import { planMail } from './daemons/mail.js';
import { planMisc } from './daemons/misc.js';
import { planSnmp } from './daemons/snmp.js';
import { planSsh } from './daemons/ssh.js';
import { planWeb } from './daemons/web.js';
import { nftRuleset } from './nft.js';
import { DNS_SERVER_INDEX, rolesFor } from './roles.js';
import type { Plan } from './types.js';
import { mkdirs, writeFile } from './util.js';
import { deriveVersions } from './versions.js';

export function generate(cfg: LabConfig): Plan {
  mkdirs(cfg.run, cfg.log, cfg.conf, cfg.data);
  const dnsServer = hostAddr(cfg, DNS_SERVER_INDEX);
  writeJail(cfg, dnsServer);
  const hosts: HostDraft[] = [];
  for (let i = 1; i <= cfg.hostCount; i++) {
    const roles = rolesFor(i);
    hosts.push({
      index: i,
      roles,
      truth: {
        address: hostAddr(cfg, i),
        name: hostName(i),
        tags: [],
        openTcp: [],
        openUdp: [],
        filteredTcp: roles.filteredTcp ?? [],
        filteredUdp: roles.filteredUdp ?? [],
        snmp: null,
        ldap: null,
        banners: {},
        http: {},
        ftp: {},
        services: {},
      },
    });
  }
  const b = new PlanBuilder(cfg, hosts, deriveVersions());
  for (const step of [planSnmp, planSsh, planWeb, planDns, planLdap, planFtp, planMail, planMisc]) step(b);
  for (const h of hosts) {
    if (h.truth.filteredTcp.length) b.tag(h, 'filtered-tcp');
    if (h.truth.filteredUdp.includes(53)) b.tag(h, 'dns-dropped');
    if (h.index === DNS_SERVER_INDEX) b.tag(h, 'dns-server');
    if (!h.truth.openTcp.length && !h.truth.openUdp.length) b.tag(h, 'nothing-open');
    h.truth.openTcp.sort((x, y) => x - y);
    h.truth.openUdp.sort((x, y) => x - y);
  }
  const plan: Plan = {
    net: cfg.net,
    hostCount: cfg.hostCount,
    domain: DOMAIN,
    dnsServer,
    state: cfg.state,
    table: cfg.table,
    versions: b.versions,
    hosts: hosts.map((h) => h.truth),
    listeners: b.listeners,
    launches: b.launches,
    loAddrs: b.loAddrs,
  };
  writeFile(path.join(cfg.state, 'plan.json'), JSON.stringify(plan, null, 1) + '\n');
  writeFile(path.join(cfg.conf, 'lab.nft'), nftRuleset(plan));
  writeFile(path.join(cfg.state, 'hosts.txt'), plan.hosts.map((h) => h.address).join('\n') + '\n');
  return plan;
}

/** The mount-namespace files every daemon sees: /etc/hosts lookups only, lab DNS as resolver. */
function writeJail(cfg: LabConfig, dnsServer: string): void {
  const nss = fs
    .readFileSync('/etc/nsswitch.conf', 'utf8')
    .split('\n')
    .map((l) => (/^hosts:/.test(l) ? 'hosts: files' : l))
    .join('\n');
  writeFile(path.join(cfg.conf, 'jail', 'nsswitch.conf'), nss);
  writeFile(
    path.join(cfg.conf, 'jail', 'resolv.conf'),
    `nameserver ${dnsServer}\noptions timeout:1 attempts:1\n`,
  );
}
