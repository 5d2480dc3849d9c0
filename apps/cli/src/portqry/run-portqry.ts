import { writeFileSync } from 'node:fs';

import { quietExitCode, type PortState } from '@fleetqry/contracts';
import {
  errorLine,
  isLiteral,
  parseTarget,
  planScan,
  probeInOrder,
  renderPortqry,
  type PortqryProbed,
  type QueryStep,
  type ResolvedTarget,
  type ScanPlan,
} from '@fleetqry/probe';

import { loadCliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { noteExcludedPorts } from '../output/excluded-notice.js';
import { buildScanRequest } from '../query/build-request.js';
import { UsageError } from '../usage-error.js';
import { hasLocalSwitch, parsePortqryArgs, type PortqryArgs } from './portqry-args.js';
import { checkLogFile, logLayout } from './portqry-log.js';

/** -q with several ports: 0 only if all are LISTENING, 1 if any is NOT LISTENING, else 2. */
function quietCode(states: PortState[]): number {
  const codes = states.map(quietExitCode);
  return codes.includes(1) ? 1 : codes.includes(2) ? 2 : 0;
}

/**
 * The ports in the order PortQry queries them: `-o` as listed (repeats included), `-e` and `-r`
 * ascending; TCP before UDP for each port with `-p both`. Ports excluded by config are left out.
 */
function querySteps(args: PortqryArgs, plan: ScanPlan): QueryStep[] {
  const listed = args.portList ?? plan.ports.tcp.union(plan.ports.udp).toArray();
  const steps: QueryStep[] = [];
  for (const port of listed)
    for (const proto of ['tcp', 'udp'] as const) if (plan.ports[proto].has(port)) steps.push({ proto, port });
  return steps;
}

/** `fleetqry -n HOST …`: PortQry's command line, output and exit codes. */
export async function runPortqry(argv: readonly string[]): Promise<number> {
  // local mode is loaded on demand: query mode never needs @fleetqry/local
  if (hasLocalSwitch(argv)) return (await import('../local/run-local.js')).runPortqryLocal(argv);
  const interactive = argv.findIndex((a) => a.toLowerCase() === '-i');
  if (interactive >= 0)
    return (await import('./interactive.js')).runInteractive(
      argv.filter((_, i) => i !== interactive),
      (query) => runPortqry(query),
    );
  const args = parsePortqryArgs(argv);
  checkLogFile(args.logFile, args.overwriteLog);
  const config = loadCliConfig(args.config);
  const plan = await planScan({
    ...buildScanRequest(
      {
        targets: [args.host],
        ports: { protocol: args.protocol, ports: args.ports, excludePorts: args.excludePorts },
        communities: args.community !== undefined ? [args.community] : undefined,
        noReverse: args.noReverse,
        dnsServers: args.dnsServers,
        slowLink: args.slowLink,
        sourcePort: args.sourcePort,
        udpMode: 'portqry',
      },
      config,
    ),
  });

  if (!args.quiet) noteExcludedPorts(plan.ports);
  const { value: outcome } = await plan.targets().next();
  const target: ResolvedTarget | undefined = outcome?.ok ? outcome.target : undefined;
  const failure = outcome && !outcome.ok ? outcome.error.message : undefined;
  const isName = !isLiteral(parseTarget(args.host));

  const probed: PortqryProbed = target
    ? await probeInOrder(target, plan.config, querySteps(args, plan))
    : { observations: [], errors: [] };
  if (probed.refused) throw new UsageError(`-n: ${probed.refused}`);
  const community = args.community ?? plan.config.protocolOptions.snmp.communities[0];
  const render = (maskSecrets: boolean) =>
    renderPortqry({ given: args.host, target, failure, isName, probed, community, maskSecrets });
  if (!args.quiet) process.stdout.write(render(false));
  // -q prints nothing but errors, as PortQry: why the port could not be tested at all
  else
    for (const e of [...(failure ? [failure] : []), ...probed.errors.map(errorLine)])
      process.stderr.write(`fleetqry: ${e}\n`);
  // the log never holds the community (the command line in it is masked the same way)
  if (args.logFile) writeFileSync(args.logFile, logLayout(argv, render(true)));
  if (!target || probed.errors.length > 0) return EXIT.INCOMPLETE;
  return args.quiet ? quietCode(probed.observations.map((o) => o.state)) : EXIT.OK;
}
