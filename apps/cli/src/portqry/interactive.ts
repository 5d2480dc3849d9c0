import { createInterface } from 'node:readline/promises';

import { parsePortqryArgs } from './portqry-args.js';

/** What `-i` remembers between queries: PortQry's "Current option values". */
interface Session {
  node: string;
  /** The port switch and its value as PortQry writes it: ['-e', '80'], ['-r', '1:100'], ['-o', '53,80']. */
  ports: [string, string];
  protocol: string;
  sourcePort?: string;
  /** Kept as typed (`!public!`); shown masked. */
  community?: string;
  noReverse: boolean;
  slowLink: boolean;
}

const HELP = `Commands (PortQry's shortcuts in brackets):

  node NAME          set the node to query                 [n NAME]
  set port=N         query one port                        [e N]
  set range=A:B      query a range of ports                [r A:B]
  set order=A,B,C    query ports in this order             [o A,B,C]
  set protocol=P     tcp, udp or both                      [p P]
  set sport=N        source port, 0 for ephemeral          [sp N]
  set cn=!NAME!      SNMP community                        [cn !NAME!]
  set nr             reverse lookups off/on                [nr]
  set sl             slow link on/off                      [sl]
  set all            show the current option values        [set]
  query              query the node with these options     [.]
  help               this list                             [?]
  quit               leave interactive mode                [q, exit]
`;

function optionValues(s: Session): string {
  const [sw, value] = s.ports;
  const ports =
    sw === '-e' ? `end port= ${value}` : sw === '-r' ? `port range= ${value}` : `port order= ${value}`;
  return [
    `Default Node: ${s.node}`,
    '',
    'Current option values:',
    ports,
    `protocol= ${s.protocol.toUpperCase()}`,
    `source port= ${s.sourcePort ?? '0 (ephemeral)'}`,
    ...(s.community !== undefined ? ['community= !*****!'] : []),
    `reverse lookup= ${s.noReverse ? 'off' : 'on'}`,
    `slow link= ${s.slowLink ? 'on' : 'off'}`,
    '',
  ].join('\n');
}

function argvOf(s: Session): string[] {
  return [
    '-n',
    s.node,
    '-p',
    s.protocol,
    ...s.ports,
    ...(s.sourcePort !== undefined ? ['-sp', s.sourcePort] : []),
    ...(s.community !== undefined ? ['-cn', s.community] : []),
    ...(s.noReverse ? ['-nr'] : []),
    ...(s.slowLink ? ['-sl'] : []),
  ];
}

/** Applies one `set`/shortcut command to a copy of the session; throws a UsageError for bad values. */
function apply(s: Session, key: string, value: string | undefined): Session {
  const need = () => {
    if (value === undefined || value === '') throw new Error(`${key}: a value is required`);
    return value;
  };
  const next = { ...s };
  switch (key) {
    case 'node':
    case 'n':
      next.node = need();
      break;
    case 'port':
    case 'e':
      next.ports = ['-e', need()];
      break;
    case 'range':
    case 'r':
      next.ports = ['-r', need()];
      break;
    case 'order':
    case 'o':
      next.ports = ['-o', need()];
      break;
    case 'protocol':
    case 'p':
      next.protocol = need().toLowerCase();
      break;
    case 'sport':
    case 'sp':
      next.sourcePort = need() === '0' ? undefined : need();
      break;
    case 'cn':
      next.community = need();
      break;
    case 'nr':
      next.noReverse = !s.noReverse;
      break;
    case 'sl':
      next.slowLink = !s.slowLink;
      break;
    default:
      throw new Error(`unknown command "${key}" (type help)`);
  }
  // the same grammar and errors as the command line
  parsePortqryArgs(argvOf(next));
  return next;
}

/**
 * `fleetqry -i`: PortQry's interactive mode. Reads commands from standard input (a terminal, or a
 * pipe); every query runs exactly what `fleetqry` with the equivalent switches runs.
 */
export async function runInteractive(
  initial: readonly string[],
  query: (argv: string[]) => Promise<number>,
): Promise<number> {
  // the switches given with -i preset the options; the node defaults to this host, as in PortQry
  const preset = parsePortqryArgs(['-n', '127.0.0.1', ...initial]);
  let session: Session = {
    node: preset.host,
    ports: initial.some((a) => a.toLowerCase() === '-r')
      ? ['-r', preset.ports.replace('-', ':')]
      : initial.some((a) => a.toLowerCase() === '-o')
        ? ['-o', (preset.portList ?? []).join(',')]
        : ['-e', preset.ports],
    protocol: preset.protocol,
    ...(preset.sourcePort !== undefined ? { sourcePort: String(preset.sourcePort) } : {}),
    ...(preset.community !== undefined ? { community: `!${preset.community}!` } : {}),
    noReverse: preset.noReverse,
    slowLink: preset.slowLink,
  };
  const out = (t: string) => process.stdout.write(t);
  out(`Portqry Interactive Mode\n\nType 'help' for a list of commands\n\n${optionValues(session)}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  rl.setPrompt('> ');
  /** One command; false ends the session. */
  const handle = async (raw: string): Promise<boolean> => {
    const [word = '', ...rest] = raw.trim().split(/\s+/);
    const cmd = word.toLowerCase();
    try {
      if (cmd === 'q' || cmd === 'quit' || cmd === 'exit') return false;
      if (cmd === '') return true;
      if (cmd === 'help' || cmd === '?') out(HELP);
      else if (cmd === 'query' || cmd === '.') await query(argvOf(session));
      else if (cmd === 'set' && (rest.length === 0 || rest[0]!.toLowerCase() === 'all'))
        out(optionValues(session));
      else if (cmd === 'set') {
        const [key, ...value] = rest.join(' ').split('=');
        session = apply(session, key!.trim().toLowerCase(), value.join('=').trim() || undefined);
        out(optionValues(session));
      } else {
        session = apply(session, cmd, rest.join(' ') || undefined);
        out(optionValues(session));
      }
    } catch (e) {
      // a bad value or a failed query ends that command, not the session
      out(`fleetqry: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    return true;
  };
  await new Promise<void>((done) => {
    // commands run one after another, in the order typed, even while a query is still running
    let chain = Promise.resolve(true);
    rl.on('line', (line) => {
      chain = chain.then(async (going) => {
        if (!going) return false;
        const more = await handle(line);
        if (more) rl.prompt();
        else rl.close();
        return more;
      });
    });
    rl.on('close', () => void chain.then(() => done()));
    rl.prompt();
  });
  return 0;
}
