import { Command, CommanderError } from 'commander';

import { EXIT, exitCodesHelp } from './exit-codes.js';
import { isPortqryArgv } from './portqry/portqry-args.js';
import { PORTQRY_USAGE } from './portqry/usage.js';
import { isInputError } from './usage-error.js';
import { VERSION } from './version.js';

/**
 * Subcommands load only when invoked: `query` should not pay for Prisma's start-up, nor `sweep` for
 * what it does not use. Help lists them all.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  query: async () => (await import('./query/query-command.js')).queryCommand(),
  sweep: async () => (await import('./sweep/sweep-command.js')).sweepCommand(),
  runs: async () => (await import('./sweep/runs-command.js')).runsCommand(),
  report: async () => (await import('./sweep/report-command.js')).reportCommand(),
  diff: async () => (await import('./sweep/diff-command.js')).diffCommand(),
  prune: async () => (await import('./sweep/prune-command.js')).pruneCommand(),
  local: async () => (await import('./local/local-command.js')).localCommand(),
  scan: async () => (await import('./remote/scan-command.js')).scanCommand(),
  agent: async () => (await import('./agent/agent-command.js')).agentCommand(),
  webhooks: async () => (await import('./remote/webhooks-command.js')).webhooksCommand(),
};

/** PortQry's two-letter switches, spelled the long way for commander in fleet mode. */
const ALIASES: Record<string, string> = {
  '-nr': '--no-reverse',
  '-sl': '--slow-link',
  '-sp': '--source-port',
};

/** --help of a subcommand (and of its own subcommands): the --format choices and the exit codes. */
function documented(cmd: Command, exitCodes: string): Command {
  for (const opt of cmd.options) {
    const choices = (opt.parseArg as { choices?: readonly string[] } | undefined)?.choices;
    if (choices && !opt.argChoices) opt.argChoices = [...choices];
  }
  cmd.addHelpText('after', exitCodes);
  for (const sub of cmd.commands) documented(sub.exitOverride(), exitCodes);
  return cmd;
}

async function program(invoked: string | undefined): Promise<Command> {
  const names = invoked && invoked in COMMANDS ? [invoked] : Object.keys(COMMANDS);
  const cmd = new Command('fleetqry')
    .description('PortQry for whole fleets: PortQry mode (below), fleet mode and compliance sweeps.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', `\n${PORTQRY_USAGE}`);
  for (const name of names)
    cmd.addCommand(documented((await COMMANDS[name]!()).exitOverride(), exitCodesHelp(name)));
  return cmd;
}

/** PortQry prints its usage for `-?`, `/?` and no arguments at all. */
const USAGE_SWITCHES = new Set(['-?', '/?', '-h', '/h']);

/**
 * A reader that goes away (`fleetqry … | head`) ends the run at once and quietly, as SIGPIPE ends a C
 * tool (and with its status, 128 + 13): no probe goes on for nobody, no stack trace.
 */
function endOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.BROKEN_PIPE);
    throw e;
  });
}

export async function main(argv: string[]): Promise<number> {
  endOnClosedPipe();
  try {
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
      process.stdout.write(`${VERSION}\n`);
      return EXIT.OK;
    }
    if (argv.length === 0 || (argv.length === 1 && USAGE_SWITCHES.has(argv[0]!.toLowerCase()))) {
      process.stdout.write(`${PORTQRY_USAGE}\nFleet mode, sweeps and the rest: fleetqry --help\n`);
      return EXIT.OK;
    }
    if (isPortqryArgv(argv)) return await (await import('./portqry/run-portqry.js')).runPortqry(argv);
    // `fleetqry --server URL --token T <command> …`: move the API options after the subcommand.
    const { hoistServerOptions } = await import('./remote/server-args.js');
    const args = hoistServerOptions(argv);
    const cmd = await program(args[0]);
    await cmd.parseAsync(
      args.map((a) => ALIASES[a] ?? a),
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
    // The controller's answer (it names the field at fault), not a stack trace; its 400 is bad input.
    if (e instanceof Error && e.name === 'ApiError') {
      process.stderr.write(`fleetqry: ${e.message}\n`);
      return (e as { status?: number }).status === 400 ? EXIT.USAGE : EXIT.RUNTIME;
    }
    process.stderr.write(`fleetqry: failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.RUNTIME;
  }
}
