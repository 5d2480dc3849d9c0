// Collects what the daemon modules plan: launches, expected listeners and each host's truth.
import path from 'node:path';

import type { LabConfig } from './config.js';
import type { Roles } from './roles.js';
import type { HostTruth, Launch, Listener, Proto } from './types.js';

export interface HostDraft {
  index: number;
  roles: Roles;
  truth: HostTruth;
}

// Every daemon runs in a private mount namespace where host lookups use /etc/hosts only and
// resolv.conf points at the lab's own DNS server, so no lab daemon can ever query the machine's resolver.
// Extra bind mounts come as SRC DST pairs before the "--" that ends them.
const JAIL = 'while [ "$1" != -- ]; do mount --bind "$1" "$2" || exit 97; shift 2; done; shift; exec "$@"';

export class PlanBuilder {
  readonly launches: Launch[] = [];
  readonly listeners: Listener[] = [];
  readonly loAddrs: string[] = [];

  constructor(
    readonly cfg: LabConfig,
    readonly hosts: HostDraft[],
    readonly versions: Record<string, string>,
  ) {}

  with(pred: (r: Roles, h: HostDraft) => unknown): HostDraft[] {
    return this.hosts.filter((h) => pred(h.roles, h));
  }

  listen(h: HostDraft, proto: Proto, port: number, service: string): void {
    this.listeners.push({ proto, addr: h.truth.address, port, service });
    (proto === 'tcp' ? h.truth.openTcp : h.truth.openUdp).push(port);
    h.truth.services[`${proto}/${port}`] = service;
  }

  tag(h: HostDraft, ...tags: string[]): void {
    for (const t of tags) if (!h.truth.tags.includes(t)) h.truth.tags.push(t);
  }

  launch(l: Launch, binds: [string, string][] = []): void {
    const mounts = [
      [path.join(this.cfg.conf, 'jail', 'nsswitch.conf'), '/etc/nsswitch.conf'],
      [path.join(this.cfg.conf, 'jail', 'resolv.conf'), '/etc/resolv.conf'],
      ...binds,
    ].flat();
    const jailed = ['/usr/bin/unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', JAIL];
    this.launches.push({ ...l, cmd: [...jailed, 'fqlab-jail', ...mounts, '--', ...l.cmd] });
  }
}
