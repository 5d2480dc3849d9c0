import {
  parsePortNumber,
  parsePortQryEndpoint,
  parsePortQryList,
  parsePortQryRange,
  PortParseError,
} from '@fleetqry/probe';

import { UsageError } from '../usage-error.js';

/** PortQry's command line, parsed. PortQry's single-dash, multi-letter switches need their own grammar. */
export interface PortqryArgs {
  host: string;
  /** `-e 80`, `-r 1:100` or `-o 53,80` as PortQry writes them; converted to a port spec. */
  ports: string;
  /** `-o`: the ports in the order given, repeats kept (PortQry queries an ordered list as listed). */
  portList?: number[];
  protocol: 'tcp' | 'udp' | 'both';
  sourcePort?: number;
  slowLink: boolean;
  community?: string;
  noReverse: boolean;
  quiet: boolean;
  logFile?: string;
  overwriteLog: boolean;
  /** fleetqry additions, accepted in PortQry mode too. */
  dnsServers: string[];
  excludePorts?: string;
  config?: string;
}

const VALUE_SWITCHES = new Set([
  '-n',
  '-e',
  '-r',
  '-o',
  '-p',
  '-sp',
  '-cn',
  '-l',
  '--dns-server',
  '--exclude-ports',
  '--config',
]);
const FLAG_SWITCHES = new Set(['-sl', '-nr', '-q', '-y']);
const LOCAL_SWITCHES = new Set(['-local', '-v', '-wport', '-wpid', '-wt']);

/** Is this argv PortQry-style (`fleetqry -n host …`) rather than a fleetqry subcommand? */
export function isPortqryArgv(argv: readonly string[]): boolean {
  const first = argv[0]?.toLowerCase();
  return (
    first !== undefined &&
    (VALUE_SWITCHES.has(first) || FLAG_SWITCHES.has(first) || LOCAL_SWITCHES.has(first) || first === '-i') &&
    first.startsWith('-') &&
    !first.startsWith('--')
  );
}

/** Does this PortQry argv ask for local mode (-local, -v, -wport, -wpid, -wt)? Handled by local/. */
export function hasLocalSwitch(argv: readonly string[]): boolean {
  return argv.some((a) => LOCAL_SWITCHES.has(a.toLowerCase()));
}

/** Runs a probe-lib port parser, prefixing its error with the switch that carried the value. */
function viaSwitch<T>(switchName: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof PortParseError) throw new UsageError(`${switchName}: ${e.message}`);
    throw e;
  }
}

/**
 * Parses PortQry's switches (case-insensitive, as PortQry). Port switches are validated here only for
 * their PortQry shape; the port spec parser validates the numbers and names them in errors.
 */
export function parsePortqryArgs(argv: readonly string[]): PortqryArgs {
  const seen = new Map<string, string | true>();
  const dnsServers: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const sw = raw.toLowerCase();
    if (LOCAL_SWITCHES.has(sw))
      throw new UsageError(`${raw}: local mode is not available yet in this version of fleetqry`);
    if (FLAG_SWITCHES.has(sw)) {
      seen.set(sw, true);
      continue;
    }
    if (!VALUE_SWITCHES.has(sw))
      throw new UsageError(
        `unknown switch "${raw}" (PortQry mode: -n -e -r -o -p -sp -sl -cn -nr -q -l -y -i; fleetqry -? lists them)`,
      );
    const value = argv[++i];
    if (value === undefined || (value.startsWith('-') && sw !== '-cn'))
      throw new UsageError(`${raw}: a value is required`);
    if (sw === '--dns-server') dnsServers.push(value);
    else if (seen.has(sw)) throw new UsageError(`${raw}: given more than once`);
    else seen.set(sw, value);
  }
  const get = (k: string) => seen.get(k) as string | undefined;

  const host = get('-n');
  if (!host)
    throw new UsageError(
      '-n: the host to query is required (fleetqry -n HOST [-e PORT | -r FROM:TO | -o LIST])',
    );
  const portSwitches = ['-e', '-r', '-o'].filter((k) => seen.has(k));
  if (portSwitches.length > 1)
    throw new UsageError(`${portSwitches.join(' and ')}: use only one of -e, -r and -o`);
  let ports = '80'; // PortQry's default endpoint
  const e = get('-e');
  const r = get('-r');
  const o = get('-o');
  if (e !== undefined) ports = viaSwitch('-e', () => parsePortQryEndpoint(e)).toString();
  if (r !== undefined) ports = viaSwitch('-r', () => parsePortQryRange(r)).toString();
  if (o !== undefined) ports = viaSwitch('-o', () => parsePortQryList(o)).toString();
  const portList = o?.split(',').map((p) => Number(p.trim()));
  const protocol = (get('-p') ?? 'tcp').toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'both')
    throw new UsageError(`-p: "${get('-p')}" is not one of tcp, udp, both`);

  let community: string | undefined;
  const cn = get('-cn');
  if (cn !== undefined) {
    // PortQry requires the community between bangs; the message must not echo the community.
    if (cn.length < 3 || !cn.startsWith('!') || !cn.endsWith('!'))
      throw new UsageError('-cn: the community must be enclosed in ! characters, e.g. -cn !NAME!');
    community = cn.slice(1, -1);
  }
  const sp = get('-sp');
  if (seen.has('-y') && !seen.has('-l')) throw new UsageError('-y: only valid together with -l');
  return {
    host,
    ports,
    ...(portList ? { portList } : {}),
    protocol,
    ...(sp !== undefined ? { sourcePort: viaSwitch('-sp', () => parsePortNumber(sp)) } : {}),
    slowLink: seen.has('-sl'),
    ...(community !== undefined ? { community } : {}),
    noReverse: seen.has('-nr'),
    quiet: seen.has('-q'),
    ...(get('-l') ? { logFile: get('-l') } : {}),
    overwriteLog: seen.has('-y'),
    dnsServers,
    ...(get('--exclude-ports') ? { excludePorts: get('--exclude-ports') } : {}),
    ...(get('--config') ? { config: get('--config') } : {}),
  };
}
