/**
 * Test helper (the lib's store specs): an embedded store in a temporary directory, and finished runs with
 * the findings a spec states, written through the store's own repository functions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Finding, RunReportPlan } from '@fleetqry/contracts';
import {
  createRun,
  createStore,
  finishRun,
  getRun,
  replaceRunFindings,
  startRun,
  type FinalRunStatus,
  type RunRecord,
  type Store,
} from '@fleetqry/store';

export interface TempStore {
  store: Store;
  /** The store's data directory (the database is in its `pglite/`): room for a spec's own files too. */
  dir: string;
  /** Closes the store and deletes the directory. */
  remove(): Promise<void>;
}

export async function tempStore(prefix: string): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const store = await createStore({ dataDir: dir });
  return {
    store,
    dir,
    async remove() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A finding of `rule` on `address` (tcp/`port`), medium and new unless said otherwise. */
export function finding(rule: string, address: string, port: number, over: Partial<Finding> = {}): Finding {
  return {
    rule,
    severity: 'medium',
    host: address,
    address,
    proto: 'tcp',
    port,
    title: rule,
    evidence: { port },
    key: `${rule}|${address}|tcp/${port}`,
    status: 'new',
    tags: [],
    ...over,
  };
}

/** A run of scan definition `scanDefinitionId` (null: none), finished with `status` at `finishedAt`. */
export async function storedRun(
  store: Store,
  input: {
    scanDefinitionId: string | null;
    findings?: readonly Finding[];
    status?: FinalRunStatus;
    finishedAt?: Date;
    plan?: RunReportPlan;
  },
): Promise<RunRecord> {
  const { run } = await createRun(store.prisma, {
    trigger: 'cli',
    ...(input.scanDefinitionId ? { scanDefinitionId: input.scanDefinitionId } : {}),
    policyName: 'spec',
    hosts: 1,
    ...(input.plan ? { plan: input.plan } : {}),
  });
  const finishedAt = input.finishedAt ?? new Date();
  await startRun(store.prisma, run.id, finishedAt);
  if (input.findings?.length) {
    await store.sql((conn) => replaceRunFindings(conn, run.id, input.findings!, finishedAt));
  }
  await finishRun(store.prisma, run.id, { status: input.status ?? 'succeeded' }, finishedAt);
  return (await getRun(store.prisma, run.id))!;
}
