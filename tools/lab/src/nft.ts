// The lab's own nftables table: dropped ports, the TCP 2024 guard and the egress audit counter.
import type { Plan } from './types.js';

export const GUARD_PORT = 2024;
const EGRESS_COUNTER = 'egress_audit';

export function nftRuleset(plan: Plan): string {
  const t = plan.table;
  const rules: string[] = [
    `ip daddr ${plan.net}.0/24 tcp dport ${GUARD_PORT} counter reject with tcp reset comment "foreign service, not part of the lab"`,
  ];
  const byPorts = new Map<string, string[]>();
  for (const h of plan.hosts) {
    for (const [proto, ports] of [
      ['tcp', h.filteredTcp],
      ['udp', h.filteredUdp],
    ] as const) {
      for (const p of ports) {
        const key = `${proto} dport ${p}`;
        byPorts.set(key, [...(byPorts.get(key) ?? []), h.address]);
      }
    }
  }
  for (const [key, addrs] of byPorts) rules.push(`ip daddr { ${addrs.join(', ')} } ${key} counter drop`);
  // "nft -f" applies the whole file atomically: create-or-keep, delete, then recreate the table
  return `table inet ${t} {}
delete table inet ${t}
table inet ${t} {
  counter ${EGRESS_COUNTER} { comment "packets from loopback sources to non-loopback destinations" }
  chain input {
    type filter hook input priority -10; policy accept;
    ${rules.join('\n    ')}
  }
  chain output {
    type filter hook output priority -10; policy accept;
    ip saddr 127.0.0.0/8 ip daddr != 127.0.0.0/8 counter name ${EGRESS_COUNTER}
  }
}
`;
}
