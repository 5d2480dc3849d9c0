import { Command, Option } from 'commander';

import { choiceOption } from '../cli-values.js';
import { LOCAL_FORMATS, type LocalCommandOpts } from './local-args.js';

/**
 * `fleetqry local --format json|csv|text`: the local socket table for machines (one record per
 * socket). The implementation is loaded on demand, so other commands never load @fleetqry/local.
 */
export function localCommand(): Command {
  return new Command('local')
    .description(
      "list this host's sockets with their owning process (PortQry -local); json and csv for machines",
    )
    .addOption(
      new Option('--format <format>', 'text | json | csv')
        .default('text')
        .argParser(choiceOption('--format', LOCAL_FORMATS)),
    )
    .option('-v, --verbose', 'also show loaded modules (/proc/PID/maps)')
    .option('--proc-root <dir>', 'where procfs is mounted', '/proc')
    .option('--passwd-file <file>', 'uid to user name source', '/etc/passwd')
    .action(async (opts: LocalCommandOpts) => {
      const { runLocalCommand } = await import('./run-local.js');
      process.exitCode = runLocalCommand(opts);
    });
}
