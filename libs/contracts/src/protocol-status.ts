import { z } from 'zod';

/**
 * One status vocabulary for every protocol query (after zgrab2): each outcome of a plugin maps onto
 * exactly one of these; plugins never throw out of a batch.
 */
export const PROBE_STATUSES = [
  'success', // the protocol answered and was parsed
  'rejected', // the peer answered at transport level but refused the request (e.g. wrong SNMP community)
  'connection-refused',
  'connection-timeout',
  'io-timeout', // connected, but no (complete) answer before the deadline
  'truncated', // answered, but the answer hit the byte cap before it ended
  'protocol-error', // the answer was not this protocol, or malformed
  'application-error', // the protocol worked but reported an error
] as const;
export const ProbeStatusSchema = z.enum(PROBE_STATUSES);
export type ProbeStatus = z.infer<typeof ProbeStatusSchema>;
