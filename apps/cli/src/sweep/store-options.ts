import { createStore, failStaleRuns, type Store } from '@fleetqry/store';
import type { Command } from 'commander';

export interface StoreFlags {
  databaseUrl?: string;
  dataDir?: string;
}

/** `--database-url` (or $DATABASE_URL) for Postgres; otherwise the embedded store in --data-dir. */
export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--database-url <url>', 'Postgres URL (default: $DATABASE_URL; without one, the embedded store)')
    .option('--data-dir <dir>', 'embedded store directory', '.fleetqry');
}

async function openStore(flags: StoreFlags): Promise<Store> {
  const databaseUrl = flags.databaseUrl ?? process.env.DATABASE_URL;
  // The CLI migrates Postgres too: a user pointing `sweep` at an empty database expects it to work.
  const store = await createStore({ databaseUrl, dataDir: flags.dataDir, migrate: true });
  // Embedded: the data-dir lock proves no other process runs a sweep, so unfinished runs are dead.
  if (store.kind === 'pglite') await failStaleRuns(store.prisma, new Date());
  return store;
}

export async function withStore<T>(flags: StoreFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(flags);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Like withStore, but `fn` gets the store while it is still opening (the sweep probes meanwhile); the store
 * is closed afterwards if it opened at all. An opening error reaches `fn`'s awaits, and is thrown here too.
 */
export async function withOpeningStore<T>(
  flags: StoreFlags,
  fn: (store: Promise<Store>) => Promise<T>,
): Promise<T> {
  const opening = openStore(flags);
  opening.catch(() => {}); // observed by fn; an unopened store needs no closing
  try {
    return await fn(opening);
  } finally {
    const store = await opening.catch(() => undefined);
    await store?.close();
  }
}
