import type { LocalSnapshot, LocalSocket, LocalWatchEvent } from '@fleetqry/contracts';
import { portStatistics, type PortHolder } from '@fleetqry/local';

const endpoint = (address: string, port: number) =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

/** PortQry's Remote IP:Port column: `*:*` for an unconnected UDP socket. */
function remote(s: LocalSocket): string {
  const unset = s.remotePort === 0 && (s.remoteAddress === '0.0.0.0' || s.remoteAddress === '::');
  return s.proto === 'udp' && unset ? '*:*' : endpoint(s.remoteAddress, s.remotePort);
}

interface Widths {
  pid: number;
  port: number;
  local: number;
  state: number;
}

function row(cells: string[], w: Widths): string {
  const [pid, port, local, state, rem] = cells;
  return `${pid!.padEnd(w.pid)}  ${port!.padEnd(w.port)}  ${local!.padEnd(w.local)}  ${state!.padEnd(w.state)}  ${rem}`;
}

function socketRow(s: LocalSocket, w: Widths): string {
  return row(
    [
      String(s.pid ?? '-'),
      `${s.proto.toUpperCase()} ${s.localPort}`,
      s.localAddress,
      s.state ?? '',
      remote(s),
    ],
    w,
  );
}

/** The verbose block of a process: unit/container, user, command line, modules, what could not be read. */
function processDetails(sockets: LocalSocket[]): string[] {
  const s = sockets[0]!;
  const shared = [...new Set(sockets.flatMap((x) => x.otherPids ?? []))].sort((a, b) => a - b);
  const lines: string[] = [];
  if (s.unit) lines.push(`Service Name: ${s.unit}`);
  if (s.container) lines.push(`Container: ${s.container.runtime} ${s.container.id}`);
  if (s.cgroup) lines.push(`Control group: ${s.cgroup}`);
  if (s.user !== undefined || s.uid !== undefined) lines.push(`User: ${s.user ?? `uid ${s.uid}`}`);
  if (s.cmdline) lines.push(`Command line: ${s.cmdline}`);
  if (shared.length) lines.push(`Sockets shared with PIDs: ${shared.join(', ')}`);
  return lines;
}

/**
 * `fleetqry -local` in PortQry's layout: one block per process (ports, and with verbose the service,
 * user, command line and loaded modules), unowned sockets, then Port Statistics, then what could not be read.
 */
function widthsOf(sockets: readonly LocalSocket[]): Widths {
  const w: Widths = { pid: 3, port: 4, local: 8, state: 5 };
  for (const s of sockets) {
    w.pid = Math.max(w.pid, String(s.pid ?? '-').length);
    w.port = Math.max(w.port, `${s.proto} ${s.localPort}`.length);
    w.local = Math.max(w.local, s.localAddress.length);
    w.state = Math.max(w.state, (s.state ?? '').length);
  }
  return w;
}

const HEADER = ['PID', 'Port', 'Local IP', 'State', 'Remote IP:Port'];

/** PortQry's socket table (header and one row per socket), columns as wide as their content. */
function socketTable(sockets: readonly LocalSocket[]): string[] {
  const w = widthsOf(sockets);
  return [row(HEADER, w), ...sockets.map((s) => socketRow(s, w))];
}

export function renderLocal(snap: LocalSnapshot, verbose: boolean): string[] {
  const w = widthsOf(snap.sockets);
  const header = row(HEADER, w);
  const groups = new Map<number | null, LocalSocket[]>();
  for (const s of snap.sockets) groups.set(s.pid, [...(groups.get(s.pid) ?? []), s]);

  const lines: string[] = [];
  for (const [pid, sockets] of groups) {
    if (pid === null) continue;
    const first = sockets[0]!;
    lines.push(`Process ID: ${pid} (${first.process ?? 'unknown'})`, '');
    if (verbose) {
      const details = processDetails(sockets);
      if (details.length) lines.push(...details, '');
    }
    lines.push(header, ...sockets.map((s) => socketRow(s, w)), '');
    if (verbose) {
      if (first.modules?.length) {
        lines.push('Loaded modules:');
        lines.push(...first.modules.map((m) => `${m.path} (${m.base})`), '');
      }
      if (first.notes?.length) lines.push(...first.notes, '');
    }
  }
  const unowned = groups.get(null);
  if (unowned?.length) {
    lines.push(
      'Sockets with no owning process (closing, or owned by processes this user cannot inspect):',
      '',
    );
    lines.push(header, ...unowned.map((s) => socketRow(s, w)), '');
  }

  const stats = portStatistics(snap.sockets);
  lines.push(
    'Port Statistics',
    '',
    `TCP mappings: ${stats.tcpMappings}`,
    `UDP mappings: ${stats.udpMappings}`,
    '',
  );
  const stateWidth = Math.max(0, ...stats.tcpStates.map((t) => t.state.length));
  const countWidth = Math.max(0, ...stats.tcpStates.map((t) => String(t.count).length));
  for (const t of stats.tcpStates)
    lines.push(
      `TCP ports in a ${t.state} state: ${' '.repeat(stateWidth - t.state.length)}${String(t.count).padStart(countWidth)} = ${t.percent.toFixed(2)}%`,
    );
  if (stats.tcpStates.length) lines.push('');
  if (snap.problems.length) lines.push(...snap.problems, '');
  return lines;
}

const CHANGE_LABEL = { new: 'New', state: 'State change', closed: 'Closed' } as const;

/** One watch line: `2026-…Z  New  TCP 127.0.0.1:5000 127.0.0.1:40000 ESTABLISHED  PID 42 (node)`. */
export function watchLine(e: LocalWatchEvent): string {
  const s = e.socket;
  const state =
    e.change === 'state'
      ? `${e.previousState ?? '-'} -> ${s.state ?? '-'}`
      : (s.state ?? (s.proto === 'udp' ? '' : '-'));
  const owner = s.pid !== null ? `PID ${s.pid} (${s.process ?? 'unknown'})` : 'no owning process';
  return [
    e.at,
    CHANGE_LABEL[e.change],
    `${s.proto.toUpperCase()} ${endpoint(s.localAddress, s.localPort)} ${remote(s)}`,
    state,
    owner,
  ]
    .filter(Boolean)
    .join('  ');
}

/**
 * The start of a watch, as PortQry's watch log begins (KB 832919): who holds the port (or the watched
 * process), its service or unit, its sockets there, and the other ports it uses.
 */
export function watchSummary(holders: readonly PortHolder[], what: string, at: string): string[] {
  const lines = ['============', `System Date: ${at}`, ''];
  if (holders.length === 0) lines.push(`No process holds ${what}`, '');
  for (const h of holders) {
    lines.push(`Process ID: ${h.pid} (${h.process ?? 'unknown'})`, '');
    if (h.unit) lines.push(`Service Name: ${h.unit}`);
    else if (h.container) lines.push(`Container: ${h.container.runtime} ${h.container.id}`);
    else lines.push("Process doesn't appear to be a service");
    if (h.user !== undefined) lines.push(`User: ${h.user}`);
    lines.push('', ...socketTable(h.sockets), '');
    if (h.otherPorts.length)
      lines.push(
        `Other ports used by this process: ${h.otherPorts.map((p) => `${p.proto.toUpperCase()} ${p.port}`).join(', ')}`,
        '',
      );
  }
  lines.push('============');
  return lines;
}
