import { Command, CommanderError } from 'commander';

import { EXIT } from './exit-codes.js';
import { isPortqryArgv } from './portqry/portqry-args.js';
import { runPortqry } from './portqry/run-portqry.js';
import { queryCommand } from './query/query-command.js';
import { isInputError } from './usage-error.js';

/** PortQry's two-letter switches, spelled the long way for commander in fleet mode. */
const ALIASES: Record<string, string> = {
  '-nr': '--no-reverse',
  '-sl': '--slow-link',
  '-sp': '--source-port',
};

function program(): Command {
  return new Command('fleetqry')
    .description(
      'PortQry for whole fleets.\n\nPortQry mode: fleetqry -n HOST [-p tcp|udp|both] [-e PORT | -r FROM:TO | -o LIST] [-sp PORT] [-sl] [-cn !COMMUNITY!] [-nr] [-q] [-l FILE [-y]]',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addCommand(queryCommand());
}

export async function main(argv: string[]): Promise<number> {
  try {
    if (isPortqryArgv(argv)) return await runPortqry(argv);
    const cmd = program();
    for (const sub of cmd.commands) sub.exitOverride();
    await cmd.parseAsync(
      argv.map((a) => ALIASES[a] ?? a),
      { from: 'user' },
    );
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed its message; help and version are not errors
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (isInputError(e)) {
      process.stderr.write(`fleetqry: ${e.message}\n`);
      return EXIT.USAGE;
    }
    process.stderr.write(`fleetqry: failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.RUNTIME;
  }
}
