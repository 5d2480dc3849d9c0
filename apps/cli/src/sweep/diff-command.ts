import type { Finding } from '@fleetqry/contracts';
import { delta } from '@fleetqry/policy';
import { evidenceLine } from '@fleetqry/sweep';
import { findingsOfRun } from '@fleetqry/store';
import { Command, Option } from 'commander';

import { choiceOption } from '../cli-values.js';
import { findRun } from './load-run-report.js';
import { addServerOptions, ApiClient, usesServer, type ServerFlags } from '../remote/api-client.js';
import { addStoreOptions, withStore, type StoreFlags } from './store-options.js';

interface DiffFlags extends StoreFlags, ServerFlags {
  format: 'text' | 'json';
}

const line = (f: Finding) =>
  `  ${f.severity.toUpperCase().padEnd(8)} ${f.rule.padEnd(30)} ${f.address}${f.port ? ` ${f.proto}/${f.port}` : ''}  ${evidenceLine(f.evidence)}`;

export function diffCommand(): Command {
  return addServerOptions(
    addStoreOptions(
      new Command('diff')
        .description('what changed between two runs: new, resolved and persisting findings')
        .argument('<runA>', 'the earlier run (number, id or latest)')
        .argument('<runB>', 'the later run (number, id or latest)')
        .addOption(
          new Option('-f, --format <format>', 'text or json')
            .default('text')
            .argParser(choiceOption('--format', ['text', 'json'] as const)),
        ),
    ),
  ).action(async (a: string, b: string, flags: DiffFlags) => {
    // --server: the controller computes the same libs/policy delta; the output below is shared.
    const { runA, runB, d } = usesServer(flags)
      ? await remoteDelta(flags, a, b)
      : await withStore(flags, async (store) => {
          const runA = await findRun(store, a, 'runA');
          const runB = await findRun(store, b, 'runB');
          const d = delta(
            await findingsOfRun(store.prisma, runA.id),
            await findingsOfRun(store.prisma, runB.id),
          );
          return { runA, runB, d };
        });
    if (flags.format === 'json') {
      process.stdout.write(
        `${JSON.stringify({ from: { id: runA.id, number: runA.number }, to: { id: runB.id, number: runB.number }, ...d }, null, 2)}\n`,
      );
      return;
    }
    const out = [
      `Run #${runA.number} → run #${runB.number}: ${d.new.length} new, ${d.resolved.length} resolved, ${d.persisting.length} persisting`,
    ];
    if (d.new.length) out.push('', 'New:', ...d.new.map(line));
    if (d.resolved.length) out.push('', 'Resolved:', ...d.resolved.map(line));
    if (d.severityChanged.length)
      out.push(
        '',
        'Severity changed:',
        ...d.severityChanged.map((c) => `${line(c.finding)} (was ${c.previousSeverity})`),
      );
    process.stdout.write(`${out.join('\n')}\n`);
  });
}

async function remoteDelta(flags: DiffFlags, a: string, b: string) {
  const { from, to, ...d } = await new ApiClient(flags).delta(a, b);
  return { runA: from, runB: to, d: d };
}
