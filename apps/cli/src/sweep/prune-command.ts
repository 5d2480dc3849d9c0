import { pruneRuns, type PrunedRun } from '@fleetqry/store';
import { Command, Option } from 'commander';

import { choiceOption, intOption } from '../cli-values.js';
import { UsageError } from '../usage-error.js';
import { addStoreOptions, withStore, type StoreFlags } from './store-options.js';

const FORMATS = ['text', 'json'] as const;

interface PruneFlags extends StoreFlags {
  keepRuns?: number;
  olderThan?: number;
  dryRun?: boolean;
  format: (typeof FORMATS)[number];
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
// Beyond a century the cut-off date adds nothing (and far enough back, Postgres cannot hold it).
const MAX_AGE_MS = 36_500 * UNIT_MS.d;

/** `--older-than 30d`: a whole number and one unit (m, h, d, w), as milliseconds. */
function ageOption(value: string): number {
  const m = /^(\d+)([mhdw])$/.exec(value);
  if (!m) throw new UsageError(`--older-than: "${value}" is not an age like 90m, 12h, 30d or 2w`);
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (ms === 0 || ms > MAX_AGE_MS)
    throw new UsageError(`--older-than: ${value} is not between 1m and 36500d`);
  return ms;
}

const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;

export function pruneCommand(): Command {
  return addStoreOptions(
    new Command('prune')
      .description(
        'drop old finished runs with their observations, coverage and findings (never a queued or running run, nor the newest succeeded run of a scan: the next delta’s baseline)',
      )
      .option(
        '--keep-runs <n>',
        'keep the newest n finished runs of each scan',
        intOption('--keep-runs', 1, 1_000_000),
      )
      .option(
        '--older-than <age>',
        'drop finished runs created longer ago than this (90m, 12h, 30d, 2w)',
        ageOption,
      )
      .option('--dry-run', 'list what would be dropped, drop nothing')
      .addOption(
        new Option('--format <format>', 'text or json')
          .default('text')
          .argParser(choiceOption('--format', FORMATS)),
      ),
  ).action(async (flags: PruneFlags) => {
    if (flags.keepRuns === undefined && flags.olderThan === undefined)
      throw new UsageError('prune needs --keep-runs <n> and/or --older-than <age>');
    const olderThan = flags.olderThan === undefined ? undefined : new Date(Date.now() - flags.olderThan);
    const pruned = await withStore(flags, (store) =>
      store.sql((conn) =>
        pruneRuns(conn, { keepRuns: flags.keepRuns, olderThan, dryRun: flags.dryRun ?? false }),
      ),
    );
    emit(pruned, flags);
  });
}

function emit(pruned: PrunedRun[], flags: PruneFlags): void {
  const dryRun = flags.dryRun ?? false;
  if (flags.format === 'json') {
    const list = pruned.map(({ id, number }) => ({ id, number }));
    process.stdout.write(`${JSON.stringify({ dryRun, pruned: list }, null, 2)}\n`);
    return;
  }
  const verb = dryRun ? 'would prune' : 'pruned';
  for (const r of pruned) process.stdout.write(`${verb} run #${r.number} (${r.id})\n`);
  process.stdout.write(`${verb} ${runs(pruned.length)}\n`);
}
