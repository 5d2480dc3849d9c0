import type { ContainerRef } from '@fleetqry/contracts';

export interface CgroupPlacement {
  unit?: string;
  container?: ContainerRef;
  /** The path itself, when it names neither a unit nor a container (and is not the root). */
  cgroup?: string;
}

const ID = '([0-9a-f]{12,64})';
const CONTAINER_PATTERNS: [RegExp, ContainerRef['runtime']][] = [
  [new RegExp(`(?:^|/)docker[-/]${ID}(?:\\.scope)?(?:/|$)`), 'docker'],
  [new RegExp(`(?:^|/)cri-containerd-${ID}\\.scope`), 'containerd'],
  [new RegExp(`(?:^|/)crio-${ID}\\.scope`), 'cri-o'],
  [new RegExp(`(?:^|/)libpod-${ID}\\.scope`), 'podman'],
  [new RegExp(`(?:^|/)kubepods[^/]*/(?:[^/]+/)*?(?:pod[^/]+/)${ID}(?:/|$)`), 'kubernetes'],
];

/**
 * Where a process runs, from /proc/PID/cgroup (`hierarchy:controllers:path` lines). The unified
 * (`0::`) line wins, then the `name=systemd` one, then the first non-root path. The unit is the
 * innermost `.service` or `.scope` segment; containers are recognised by their runtimes' naming.
 */
export function parseCgroup(text: string): CgroupPlacement {
  const paths = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (m) paths.set(m[2] === '' ? 'unified' : m[2]!, m[3]!);
  }
  const candidates = [paths.get('unified'), paths.get('name=systemd'), ...paths.values()];
  const path = candidates.find((p) => p !== undefined && p !== '/' && p !== '');
  if (!path) return {};
  for (const [re, runtime] of CONTAINER_PATTERNS) {
    const m = re.exec(path);
    if (m) return { container: { runtime, id: m[1]!.slice(0, 12) } };
  }
  const lxc = /(?:^|\/)lxc(?:\.payload)?[./]([^/]+)/.exec(path);
  if (lxc) return { container: { runtime: 'lxc', id: lxc[1]! } };
  const unit = path
    .split('/')
    .reverse()
    .find((seg) => /\.(service|scope)$/.test(seg));
  return unit ? { unit } : { cgroup: path };
}
