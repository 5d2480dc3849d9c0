import type { LocalSocket, LocalTcpState } from '@fleetqry/contracts';

/** PortQry's "Port Statistics": mapping counts and the share of TCP ports in each state. */
export interface PortStatistics {
  tcpMappings: number;
  udpMappings: number;
  /** Most frequent state first; percent of all TCP mappings, two decimals as PortQry prints. */
  tcpStates: { state: LocalTcpState; count: number; percent: number }[];
}

export function portStatistics(sockets: readonly LocalSocket[]): PortStatistics {
  const tcp = sockets.filter((s) => s.proto === 'tcp');
  const counts = new Map<LocalTcpState, number>();
  for (const s of tcp) if (s.state) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  return {
    tcpMappings: tcp.length,
    udpMappings: sockets.length - tcp.length,
    tcpStates: [...counts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([state, count]) => ({ state, count, percent: Math.round((count / tcp.length) * 10000) / 100 })),
  };
}
