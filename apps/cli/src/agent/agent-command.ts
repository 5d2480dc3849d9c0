import { isIP } from 'node:net';

import { Command } from 'commander';

import { intOption, repeatOption } from '../cli-values.js';
import { UsageError } from '../usage-error.js';

interface AgentFlags {
  server?: string;
  token?: string;
  interval: number;
  once?: boolean;
  hostname?: string;
  address: string[];
  procRoot: string;
  passwdFile: string;
}

/**
 * `fleetqry agent --server URL --token T [--interval S] [--once]`: pushes this host's listener table (owner
 * process per listening port) to the controller, so its policy can hold the network view against it. The
 * token is read from --token or $FLEETQRY_TOKEN (which keeps it out of `ps`) and sent only as
 * `Authorization: Bearer` to --server.
 */
export function agentCommand(): Command {
  return new Command('agent')
    .description("push this host's listeners and their owning processes to the controller (POST /host-views)")
    .option('--server <url>', 'controller URL (or $FLEETQRY_SERVER)')
    .option('--token <token>', 'API token with the operator role (or $FLEETQRY_TOKEN)')
    .option('--interval <seconds>', 'seconds between pushes', intOption('--interval', 1, 86_400), 300)
    .option('--once', 'push once and exit (for cron)')
    .option('--hostname <name>', 'host name to report (default: os.hostname())')
    .option(
      '--address <ip>',
      'an extra address of this host, e.g. the NAT address scanners reach (repeatable)',
      repeatOption,
      [],
    )
    .option('--proc-root <dir>', 'where procfs is mounted', '/proc')
    .option('--passwd-file <file>', 'uid to user name source', '/etc/passwd')
    .action(async (flags: AgentFlags) => {
      const server = flags.server ?? process.env['FLEETQRY_SERVER'];
      const token = flags.token ?? process.env['FLEETQRY_TOKEN'];
      if (!server)
        throw new UsageError('agent: --server: the controller URL is required (or $FLEETQRY_SERVER)');
      if (!token) throw new UsageError('agent: --token: an API token is required (or $FLEETQRY_TOKEN)');
      for (const a of flags.address)
        if (!isIP(a)) throw new UsageError(`agent: --address: "${a}" is not an IPv4 or IPv6 address`);
      const { runAgent } = await import('./run-agent.js');
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        process.exitCode = await runAgent({
          server,
          token,
          intervalSeconds: flags.interval,
          once: flags.once === true,
          ...(flags.hostname ? { hostname: flags.hostname } : {}),
          extraAddresses: flags.address,
          procRoot: flags.procRoot,
          passwdPath: flags.passwdFile,
          signal: stop.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
