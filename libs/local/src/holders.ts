import type { LocalSocket, Proto } from '@fleetqry/contracts';

import type { WatchTarget } from './watch.js';

/** A process holding a watched port (or the watched process), with every port it uses. */
export interface PortHolder {
  pid: number;
  process: string | null;
  /** systemd unit or container: the "service" PortQry names for a Windows service. */
  unit?: string;
  container?: LocalSocket['container'];
  user?: string;
  /** Its sockets on the watched port (for -wpid: all of them). */
  sockets: LocalSocket[];
  /** The other local ports it uses (none for -wpid: they are all watched), each once, TCP first, ascending. */
  otherPorts: Array<{ proto: Proto; port: number }>;
}

/**
 * Who holds what a watch starts on, as PortQry's watch shows it for W3SVC: every process with a socket
 * bound to the port (for `-wpid`, the process), its service or unit, and the other ports that process
 * uses. Sockets only connected *to* the port from elsewhere (clients) do not make their process a holder.
 */
export function portHolders(target: WatchTarget, all: readonly LocalSocket[]): PortHolder[] {
  const holds = (s: LocalSocket) =>
    s.pid !== null && ('port' in target ? s.localPort === target.port : s.pid === target.pid);
  const pids = [...new Set(all.filter(holds).map((s) => s.pid!))].sort((a, b) => a - b);
  return pids.map((pid) => {
    const own = all.filter((s) => s.pid === pid);
    const first = own.find(holds)!;
    // the unit is read per process, so any of its sockets carries it
    const unit = own.find((s) => s.unit)?.unit;
    const container = own.find((s) => s.container)?.container;
    const seen = new Set<string>();
    const otherPorts = own
      .filter((s) => !holds(s))
      .map((s) => ({ proto: s.proto, port: s.localPort }))
      .filter((p) => {
        const key = `${p.proto}/${p.port}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort((a, b) => (a.proto === b.proto ? a.port - b.port : a.proto === 'tcp' ? -1 : 1));
    return {
      pid,
      process: first.process,
      ...(unit ? { unit } : {}),
      ...(container ? { container } : {}),
      ...(first.user !== undefined ? { user: first.user } : {}),
      sockets: own.filter(holds),
      otherPorts,
    };
  });
}
