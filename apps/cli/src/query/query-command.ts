import { createWriteStream } from 'node:fs';

import { PORT_STATES, type PortState } from '@fleetqry/contracts';
import { planScan } from '@fleetqry/probe';
import { Command, Option } from 'commander';

import {
  choiceOption,
  communityListOption,
  groupListOption,
  intOption,
  listOption,
  readCommunityFile,
  repeatOption,
} from '../cli-values.js';
import { loadCliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { noteExcludedPorts } from '../output/excluded-notice.js';
import { CsvSink } from '../output/csv-sink.js';
import { JsonSink } from '../output/json-sink.js';
import { JsonlSink } from '../output/jsonl-sink.js';
import { createProgress } from '../output/progress.js';
import type { ResultSink, Write } from '../output/sink.js';
import { TextSink } from '../output/text-sink.js';
import { UsageError } from '../usage-error.js';
import { buildScanRequest } from './build-request.js';
import { executePlan } from './execute-plan.js';

const FORMATS = ['text', 'json', 'jsonl', 'csv'] as const;
type Format = (typeof FORMATS)[number];

interface QueryOpts {
  targets?: string[];
  targetsFile?: string[];
  ports?: string;
  tcp?: string;
  udp?: string;
  groups?: string[];
  groupsFile?: string;
  protocol?: 'tcp' | 'udp' | 'both';
  excludePorts?: string;
  communities?: string[];
  communitiesFile?: string;
  reverse: boolean;
  dnsServer?: string[];
  maxHosts?: number;
  format: Format;
  output?: string;
  states?: string[];
  all?: boolean;
  queries: boolean;
  query?: string[];
  slowLink?: boolean;
  sourcePort?: number;
  udpMode?: 'fast' | 'portqry';
  concurrency?: number;
  perHost?: number;
  rate?: number;
  minTimeout?: number;
  maxTimeout?: number;
  retries?: number;
  queryTimeout?: number;
  workers?: number;
  config?: string;
  progress: boolean;
}

function parseStates(values: string[] | undefined): Set<PortState> | undefined {
  if (!values) return undefined;
  const out = new Set<PortState>();
  for (const v of values
    .join(',')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const state = PORT_STATES.find((s) => s.toLowerCase() === v.toLowerCase().replace(/[-_]/g, ' '));
    if (!state) throw new UsageError(`--states: "${v}" is not one of ${PORT_STATES.join(', ')}`);
    out.add(state);
  }
  return out;
}

function sinkFor(format: Format, write: Write, showAll: boolean): ResultSink {
  switch (format) {
    case 'json':
      return new JsonSink(write);
    case 'jsonl':
      return new JsonlSink(write);
    case 'csv':
      return new CsvSink(write);
    default:
      return new TextSink(write, { showAll });
  }
}

async function runQuery(opts: QueryOpts): Promise<number> {
  const config = loadCliConfig(opts.config);
  const communities = [
    ...(opts.communities ?? []),
    ...(opts.communitiesFile ? readCommunityFile(opts.communitiesFile) : []),
  ];
  const states = parseStates(opts.states);
  const request = buildScanRequest(
    {
      targets: opts.targets ?? [],
      targetFiles: opts.targetsFile,
      ports: {
        protocol: opts.protocol,
        ports: opts.ports,
        tcp: opts.tcp,
        udp: opts.udp,
        groups: opts.groups,
        excludePorts: opts.excludePorts,
      },
      groupsFile: opts.groupsFile,
      communities: communities.length ? communities : undefined,
      noReverse: !opts.reverse,
      dnsServers: opts.dnsServer,
      maxHosts: opts.maxHosts,
      slowLink: opts.slowLink,
      sourcePort: opts.sourcePort,
      udpMode: opts.udpMode,
      queries: opts.queries ? (opts.query ?? 'all') : [],
      concurrency: opts.concurrency,
      perHost: opts.perHost,
      rate: opts.rate,
      minTimeoutMs: opts.minTimeout,
      maxTimeoutMs: opts.maxTimeout,
      retries: opts.retries,
      queryTimeoutMs: opts.queryTimeout,
    },
    config,
  );
  const plan = await planScan(request);
  noteExcludedPorts(plan.ports);

  const out = opts.output ? createWriteStream(opts.output) : undefined;
  const write: Write = out ? (t) => void out.write(t) : (t) => void process.stdout.write(t);
  const sink = sinkFor(opts.format, write, opts.all === true);
  const progress = createProgress(plan.totalProbes, opts.progress && process.stderr.isTTY === true);
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const summary = await executePlan(plan, sink, {
      progress,
      workers: opts.workers,
      signal: controller.signal,
      keep: states ? (o) => states.has(o.state) : undefined,
    });
    progress.stop();
    sink.end(summary);
    if (out)
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
    return summary.failures > 0 ? EXIT.INCOMPLETE : EXIT.OK;
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSigint);
  }
}

export function queryCommand(): Command {
  return new Command('query')
    .description('probe many hosts and ports (fleet mode)')
    .option(
      '-t, --targets <list>',
      'targets: addresses, CIDRs, ranges (10.0.0.1-20), hostnames; comma-separated, repeatable',
      listOption,
    )
    .option('--targets-file <file>', 'file with one target per line (# comments); repeatable', repeatOption)
    .option('--ports <spec>', 'ports for the selected protocol(s): 1-1024,3389,ldap')
    .option('--tcp <spec>', 'TCP ports')
    .option('--udp <spec>', 'UDP ports')
    .option(
      '-g, --groups <names>',
      'service groups, comma-separated: slugs (domains-and-trusts, web, sql, …) or PortQryUI names ("Domains and Trusts")',
      groupListOption,
    )
    .option('--groups-file <file>', 'YAML with your own service groups (groups: {name: {tcp, udp}})')
    .addOption(
      new Option('-p, --protocol <proto>', 'tcp, udp or both').argParser(
        choiceOption('--protocol', ['tcp', 'udp', 'both'] as const),
      ),
    )
    .option('--exclude-ports <spec>', 'ports never probed')
    .option('--communities <list>', 'SNMP communities to try, comma-separated', communityListOption)
    .option('--communities-file <file>', 'SNMP communities, one per line')
    .option('--no-reverse', 'no reverse (PTR) lookups; also -nr')
    .option(
      '--dns-server <addr>',
      'DNS server for name resolution (addr or addr:port); repeatable',
      repeatOption,
    )
    .option(
      '--max-hosts <n>',
      'refuse requests with more hosts than this',
      intOption('--max-hosts', 1, 2 ** 32),
    )
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .default('text')
        .argParser(choiceOption('--format', FORMATS)),
    )
    .option('-o, --output <file>', 'write results to a file instead of stdout')
    .option('--states <list>', 'only output these states (e.g. LISTENING,FILTERED)', listOption)
    .option('--all', 'text format: list NOT LISTENING ports too')
    .option('--no-queries', 'port states only, no protocol queries')
    .option('--query <names>', 'only these protocol queries (snmp, ldap, dns, ssh, http, …)', listOption)
    .option('--slow-link', 'double every wait (PortQry -sl); also -sl')
    .option(
      '--source-port <port>',
      'fixed source port (PortQry -sp); probes run one at a time',
      intOption('--source-port', 1, 65535),
    )
    .addOption(
      new Option(
        '--udp-mode <mode>',
        'portqry: unformatted datagram first; fast: formatted query only where one exists',
      ).argParser(choiceOption('--udp-mode', ['fast', 'portqry'] as const)),
    )
    .option('--concurrency <n>', 'probes in flight at once', intOption('--concurrency', 1, 65536))
    .option('--per-host <n>', 'probes in flight per host', intOption('--per-host', 1, 65536))
    .option(
      '--rate <n>',
      'max new connections/datagrams per second (0 = unlimited)',
      intOption('--rate', 0, 10_000_000),
    )
    .option('--min-timeout <ms>', 'floor of the adaptive timeout', intOption('--min-timeout', 1, 600_000))
    .option('--max-timeout <ms>', 'ceiling of the adaptive timeout', intOption('--max-timeout', 1, 600_000))
    .option('--retries <n>', 'retries on silence', intOption('--retries', 0, 10))
    .option(
      '--query-timeout <ms>',
      'deadline of one protocol query',
      intOption('--query-timeout', 1, 600_000),
    )
    .option(
      '--workers <n>',
      'scanner threads (default: one per core for big scans)',
      intOption('--workers', 1, 64),
    )
    .option('--config <file>', 'fleetqry.config.yaml to use')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: QueryOpts) => {
      process.exitCode = await runQuery(opts);
    });
}
