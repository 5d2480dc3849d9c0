import { writeFileSync } from 'node:fs';

import { quietExitCode, type Observation, type PortState } from '@fleetqry/contracts';
import { isLiteral, parseTarget, planScan, runScan, type ResolvedTarget } from '@fleetqry/probe';

import { loadCliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { buildScanRequest } from '../query/build-request.js';
import { UsageError } from '../usage-error.js';
import { hasLocalSwitch, parsePortqryArgs } from './portqry-args.js';
import { checkLogFile, logLayout } from './portqry-log.js';
import { portBlock, preamble, sortForPortqry } from './portqry-report.js';

/** -q with several ports: 0 only if all are LISTENING, 1 if any is NOT LISTENING, else 2. */
function quietCode(states: PortState[]): number {
  const codes = states.map(quietExitCode);
  return codes.includes(1) ? 1 : codes.includes(2) ? 2 : 0;
}

/** `fleetqry -n HOST …`: PortQry's command line, output and exit codes. */
export async function runPortqry(argv: readonly string[]): Promise<number> {
  // local mode is loaded on demand: query mode never needs @fleetqry/local
  if (hasLocalSwitch(argv)) return (await import('../local/run-local.js')).runPortqryLocal(argv);
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

  const { value: outcome } = await plan.targets().next();
  const target: ResolvedTarget | undefined = outcome?.ok ? outcome.target : undefined;
  const failure = outcome && !outcome.ok ? outcome.error.message : undefined;
  const lines = preamble(args.host, target, failure, !isLiteral(parseTarget(args.host)));

  const observations: Observation[] = [];
  if (target) {
    for await (const batch of runScan([target], plan.config, { workers: 1 })) {
      for (const e of batch) {
        if (e.type === 'observation') observations.push(e.observation);
        else if (e.type === 'host-refused') throw new UsageError(`-n: ${e.reason}`);
        else if (e.type === 'probe-error')
          lines.push(`${e.proto.toUpperCase()} port ${e.port}: ${e.error}`, '');
      }
    }
    for (const obs of sortForPortqry(observations)) lines.push(...portBlock(obs), '');
  }
  const body = `${lines.join('\n')}\n`;
  if (!args.quiet) process.stdout.write(body);
  if (args.logFile) writeFileSync(args.logFile, logLayout(argv, body));
  if (!target) return args.quiet ? 1 : EXIT.INCOMPLETE;
  return args.quiet ? quietCode(observations.map((o) => o.state)) : EXIT.OK;
}
