import type { SnmpV3User } from '@fleetqry/contracts';

/** The SNMP plugin's options (part of the scan's protocol options). Secrets: never in results or errors. */
export interface SnmpOptions {
  /** SNMP communities to try, in order. */
  communities: readonly string[];
  /** Send an SNMPv3 engine-discovery request in the same burst as the community sweep (no extra wait). */
  snmpV3Discovery?: boolean;
  /** SNMPv3 users (with their keys) for an authenticated get of the system group; `credential` labels results. */
  snmpV3Users?: readonly (SnmpV3User & { credential?: string })[];
}

/** PortQry tries `public`. */
export const DEFAULT_SNMP_OPTIONS: SnmpOptions = { communities: ['public'] };
