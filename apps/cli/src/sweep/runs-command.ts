import { listRuns } from '@fleetqry/store';
import { Command } from 'commander';

import { intOption } from '../cli-values.js';
import {
  addServerOptions,
  ApiClient,
  usesServer,
  type RemoteRun,
  type ServerFlags,
} from '../remote/api-client.js';
import { addStoreOptions, withStore, type StoreFlags } from './store-options.js';

interface RunsFlags extends StoreFlags, ServerFlags {
  limit: number;
  json?: boolean;
}

export function runsCommand(): Command {
  return addServerOptions(
    addStoreOptions(
      new Command('runs')
        .description('list stored runs, newest first')
        .option('-n, --limit <n>', 'how many', intOption('--limit', 1, 10_000), 20)
        .option('--json', 'JSON output'),
    ),
  ).action(async (flags: RunsFlags) => {
    if (usesServer(flags)) return remoteRuns(flags);
    const runs = await withStore(flags, (store) => listRuns(store.prisma, { limit: flags.limit }));
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify(
          runs.map((r) => ({ ...r, plan: undefined })),
          null,
          2,
        )}\n`,
      );
      return;
    }
    process.stdout.write(
      '  #  status     trigger   hosts  probes            started                   finished\n',
    );
    for (const r of runs) {
      const probes = `${r.doneProbes}/${r.totalProbes}`;
      process.stdout.write(
        `${String(r.number).padStart(3)}  ${r.status.padEnd(10)} ${r.trigger.padEnd(9)} ${String(r.hosts).padStart(5)}  ${probes.padEnd(16)}  ${r.startedAt?.toISOString() ?? '-'}  ${r.finishedAt?.toISOString() ?? '-'}${r.error ? `  ${r.error}` : ''}\n`,
      );
    }
  });
}

/** `runs --server`: the controller's run list, in the same table (JSON: the API's run views). */
async function remoteRuns(flags: RunsFlags): Promise<void> {
  const runs: RemoteRun[] = await new ApiClient(flags).runs(Math.min(flags.limit, 500));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    '  #  status     trigger   hosts  probes            started                   finished\n',
  );
  for (const r of runs) {
    const probes = `${r.progress.doneProbes}/${r.progress.totalProbes}`;
    process.stdout.write(
      `${String(r.number).padStart(3)}  ${r.status.padEnd(10)} ${r.trigger.padEnd(9)} ${String(r.hosts).padStart(5)}  ${probes.padEnd(16)}  ${r.startedAt ?? '-'}  ${r.finishedAt ?? '-'}${r.error ? `  ${r.error}` : ''}\n`,
    );
  }
}
