import { z } from 'zod';

/** PortQry's four port states, spelled exactly as PortQry prints them. */
export const PORT_STATES = ['LISTENING', 'NOT LISTENING', 'FILTERED', 'LISTENING or FILTERED'] as const;
export const PortStateSchema = z.enum(PORT_STATES);
export type PortState = z.infer<typeof PortStateSchema>;

export const PROTOS = ['tcp', 'udp'] as const;
export const ProtoSchema = z.enum(PROTOS);
export type Proto = z.infer<typeof ProtoSchema>;

/**
 * Why the engine decided a state: the observable event, so a report can show its evidence.
 * `udp-response` / `protocol-response` are replies to the unformatted and the formatted datagram.
 */
const STATE_REASONS = [
  'syn-ack',
  'conn-refused',
  'timeout',
  'host-unreachable',
  'icmp-port-unreachable',
  'udp-response',
  'protocol-response',
  'no-response',
  /** SNMP: no community was accepted, but the agent answered SNMPv3 discovery (it speaks v3 only). */
  'snmpv3-only',
] as const;
export const StateReasonSchema = z.enum(STATE_REASONS);
export type StateReason = z.infer<typeof StateReasonSchema>;

/** PortQry's `-q` exit codes. */
export function quietExitCode(state: PortState): 0 | 1 | 2 {
  switch (state) {
    case 'LISTENING':
      return 0;
    case 'NOT LISTENING':
      return 1;
    default:
      return 2;
  }
}
