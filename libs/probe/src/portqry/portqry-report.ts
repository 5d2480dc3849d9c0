import { MASKED_COMMUNITY, shownCommunity, type Observation } from '@fleetqry/contracts';

import type { ResolvedTarget } from '../targets/resolve.js';
import { detailLines, portLine, queryTitle, verdictLine } from './portqry-lines.js';

/** PortQry's preamble: the target, and what name resolution found. */
export function preamble(
  given: string,
  target: ResolvedTarget | undefined,
  failure: string | undefined,
  isName: boolean,
): string[] {
  const lines = ['Querying target system called:', '', ` ${given}`, ''];
  if (isName) {
    lines.push('Attempting to resolve name to IP address...', '', '');
    lines.push(
      target ? `Name resolved to ${target.address}` : `Failed to resolve name to IP address (${failure})`,
      '',
    );
  } else if (target?.reverseLookup) {
    lines.push('Attempting to resolve IP address to a name...', '', '');
    lines.push(
      target.reverseLookup === 'resolved'
        ? `IP address resolved to ${target.host}`
        : 'Failed to resolve IP address to name',
      '',
    );
  }
  if (target) lines.push('querying...', '');
  return lines;
}

export interface BlockOptions {
  /** The SNMP community sent (PortQry prints it before the query); undefined: not shown. */
  community?: string;
  /** For the -l log: every community appears as ***** (nothing of the command line's secret in a file). */
  maskSecrets?: boolean;
}

/**
 * One port in PortQry's layout (Microsoft's KB 832919 samples, listed in apps/cli/README.md): a UDP port
 * decided by a protocol query first shows the unformatted probe's LISTENING or FILTERED, then
 * "Sending … query", the response, and the verdict line `UDP port N is STATE`.
 */
export function portBlock(obs: Observation, opts: BlockOptions = {}): string[] {
  const lines: string[] = [];
  const queried = obs.protocol !== undefined;
  const afterSilence =
    obs.proto === 'udp' &&
    queried &&
    (obs.reason === 'protocol-response' || obs.reason === 'no-response' || obs.reason === 'snmpv3-only');
  lines.push(portLine(obs, afterSilence ? 'LISTENING or FILTERED' : obs.state));
  if (!queried) return lines;
  lines.push('');
  // A vendor default is no secret and is shown as PortQry shows it; any other community is masked.
  const shown = (c: string) => (opts.maskSecrets ? MASKED_COMMUNITY : shownCommunity(c));
  if (obs.protocol?.name === 'snmp' && opts.community !== undefined)
    lines.push('community name for query:', '', shown(opts.community), '');
  lines.push(`Sending ${queryTitle(obs)} query to ${obs.proto.toUpperCase()} port ${obs.port}...`, '');
  const details = detailLines(obs, shown);
  if (details.length) lines.push(...details, '');
  else if (obs.protocol?.status !== 'success' && obs.protocol?.detail)
    // the plugin said nothing: its status detail, once
    lines.push(`${queryTitle(obs)} query: ${obs.protocol.detail}`, '');
  if (obs.proto === 'udp') lines.push(verdictLine(obs));
  while (lines.at(-1) === '') lines.pop();
  return lines;
}
