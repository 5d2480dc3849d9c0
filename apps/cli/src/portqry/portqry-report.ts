import type { Observation } from '@fleetqry/contracts';
import type { ResolvedTarget } from '@fleetqry/probe';

import { detailLines, portLine, queryTitle } from '../output/portqry-lines.js';

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

/**
 * One port in PortQry's layout. A UDP port decided by a protocol query first shows the unformatted
 * probe's LISTENING or FILTERED, then the query, then the final state, as PortQry does.
 */
export function portBlock(obs: Observation): string[] {
  const lines: string[] = [];
  const queried = obs.protocol !== undefined;
  const afterSilence =
    obs.proto === 'udp' && queried && (obs.reason === 'protocol-response' || obs.reason === 'no-response');
  lines.push(portLine(obs, afterSilence ? 'LISTENING or FILTERED' : obs.state));
  if (!queried) return lines;
  lines.push('', `Sending ${queryTitle(obs)} query to ${obs.proto.toUpperCase()} port ${obs.port}...`, '');
  const details = detailLines(obs);
  if (details.length) lines.push(...details, '');
  if (
    obs.protocol?.status !== 'success' &&
    obs.protocol?.detail &&
    !details.some((d) => d.includes(obs.protocol!.detail!))
  )
    lines.push(`${queryTitle(obs)} query: ${obs.protocol.detail}`, '');
  if (afterSilence || obs.proto === 'udp') lines.push(portLine(obs));
  return lines;
}

/** Ports in PortQry's order: by port, TCP before UDP. */
export function sortForPortqry(observations: Observation[]): Observation[] {
  return [...observations].sort(
    (a, b) => a.port - b.port || (a.proto === b.proto ? 0 : a.proto === 'tcp' ? -1 : 1),
  );
}
