import type { HostCoverage, Observation, ResultBatchJob } from '@fleetqry/contracts';
import { createRun, createRunChunks, getRun, getRunChunk, startRun, type Store } from '@fleetqry/store';

import { tempStore, type TempStore } from '../testing/stored-runs.js';
import { ingestChunkBatch, Ingester } from './ingest-stage.js';

/** Both ingest paths on the embedded store (PGlite), the one local sweeps use. */
const at = '2026-12-06T00:00:00.000Z';
const open = (address: string, port: number): Observation => ({
  host: address,
  address,
  proto: 'tcp',
  port,
  state: 'LISTENING',
  reason: 'syn-ack',
  observedAt: at,
});
const closed = (address: string, ranges: [number, number][]): HostCoverage => ({
  host: address,
  address,
  proto: 'tcp',
  closed: ranges,
  observedAt: at,
});

describe('ingest stage (embedded store)', () => {
  let temp: TempStore;
  let store: Store;
  beforeAll(async () => {
    temp = await tempStore('fq-ingest-');
    store = temp.store;
  }, 60_000);
  afterAll(() => temp.remove());

  const newRun = async (running = true) => {
    const { run } = await createRun(store.prisma, { trigger: 'cli', hosts: 2 });
    if (running) await startRun(store.prisma, run.id);
    return run.id;
  };
  const done = async (runId: string) => (await getRun(store.prisma, runId))!.doneProbes;

  describe('Ingester (embedded transport)', () => {
    it('holds results until its store is ready, then writes them with the first flush', async () => {
      const runId = await newRun();
      let ready!: (t: { store: Store; runId: string }) => void;
      const ingester = new Ingester(new Promise((r) => (ready = r)), { batchProbes: 1, maxDelayMs: 0 });
      await ingester.add([open('127.0.0.1', 22)], [closed('127.0.0.1', [[1, 21]])], 22);
      expect(await done(runId)).toBe(0);
      ready({ store, runId });
      await ingester.flush();
      expect(await done(runId)).toBe(22);
      expect(ingester.totals).toEqual({ inserted: 1, duplicates: 0, coverageInserted: 1, closedProbes: 21 });
    });

    it('writes once `batchProbes` probes are buffered, advancing the run by what was new', async () => {
      const runId = await newRun();
      const ingester = new Ingester(Promise.resolve({ store, runId }), {
        batchProbes: 10,
        maxDelayMs: 60_000,
      });
      await new Promise((r) => setImmediate(r)); // the target's readiness is seen a turn later
      await ingester.add([open('127.0.0.1', 22)], [], 1);
      expect(await done(runId)).toBe(0);
      await ingester.add([], [closed('127.0.0.2', [[1, 9]])], 9);
      expect(await done(runId)).toBe(10);
      // The same observation again (a retried batch): stored once, counted as a duplicate, no progress.
      await ingester.add([open('127.0.0.1', 22)], [], 1);
      await ingester.flush();
      expect(await done(runId)).toBe(10);
      expect(ingester.totals).toMatchObject({ inserted: 1, duplicates: 1, closedProbes: 9 });
      await ingester.flush(); // nothing buffered: nothing written
      expect(await done(runId)).toBe(10);
    });

    it('writes after `maxDelayMs` however little is buffered', async () => {
      const runId = await newRun();
      const ingester = new Ingester(Promise.resolve({ store, runId }), { batchProbes: 1e9, maxDelayMs: 0 });
      await new Promise((r) => setImmediate(r));
      await ingester.add([open('127.0.0.3', 80)], [], 1);
      expect(await done(runId)).toBe(1);
    });
  });

  describe('ingestChunkBatch (distributed transport)', () => {
    const batch = (runId: string, over: Partial<ResultBatchJob>): ResultBatchJob => ({
      runId,
      chunkIndex: 0,
      attempt: 'a1',
      seq: 0,
      observations: [],
      coverage: [],
      failures: [],
      ...over,
    });
    const chunks = (runId: string, n: number) =>
      createRunChunks(
        store.prisma,
        runId,
        Array.from({ length: n }, (_, i) => ({ chunkIndex: i, targets: [], hosts: 1, probes: 10 })),
      );

    it('completes a chunk once its final marker and every batch it announces are in, in any order', async () => {
      const runId = await newRun();
      await chunks(runId, 2);
      // The final marker first: it announces two batches, neither in yet.
      const final = batch(runId, {
        seq: -1,
        observations: [open('127.0.0.1', 443)],
        failures: [{ given: 'x', host: 'x', error: 'cannot resolve' }],
        final: { batches: 2, observations: 3, network: { retransmissions: 5, recovered: 1, undecided: 0 } },
      });
      expect(await ingestChunkBatch(store, final)).toEqual({
        kind: 'ingested',
        inserted: 1,
        chunkDone: false,
        runComplete: false,
      });
      expect(
        await ingestChunkBatch(store, batch(runId, { seq: 1, observations: [open('127.0.0.1', 80)] })),
      ).toMatchObject({ chunkDone: false });
      // A redelivered batch changes nothing.
      expect(await ingestChunkBatch(store, batch(runId, { seq: 1 }))).toEqual({
        kind: 'dropped',
        reason: 'duplicate batch',
      });
      expect(
        await ingestChunkBatch(store, batch(runId, { seq: 0, coverage: [closed('127.0.0.1', [[1, 7]])] })),
      ).toEqual({ kind: 'ingested', inserted: 0, chunkDone: true, runComplete: false });
      expect(await done(runId)).toBe(2 + 7);
      const chunk = await getRunChunk(store.prisma, runId, 0);
      expect(chunk).toMatchObject({
        observations: 3,
        failures: [{ given: 'x', host: 'x', error: 'cannot resolve' }],
      });
      expect(chunk!.doneAt).not.toBeNull();
      // The chunk's network evidence is the run's now.
      expect(await getRun(store.prisma, runId)).toMatchObject({
        retransmissions: 5,
        recovered: 1,
        undecided: 0,
      });
      // Anything more for a done chunk is dropped, even another attempt's.
      expect(await ingestChunkBatch(store, batch(runId, { attempt: 'a2', seq: 0 }))).toEqual({
        kind: 'dropped',
        reason: 'chunk already done',
      });

      // The run's last chunk completes the run.
      expect(
        await ingestChunkBatch(
          store,
          batch(runId, { chunkIndex: 1, seq: -1, final: { batches: 0, observations: 0 } }),
        ),
      ).toEqual({ kind: 'ingested', inserted: 0, chunkDone: true, runComplete: true });
    });

    it('keeps two attempts of a chunk apart: a crashed attempt’s batches do not complete a retry', async () => {
      const runId = await newRun();
      await chunks(runId, 1);
      await ingestChunkBatch(store, batch(runId, { attempt: 'crashed', seq: 0 }));
      const retry = await ingestChunkBatch(
        store,
        batch(runId, { attempt: 'retry', seq: -1, final: { batches: 1, observations: 0 } }),
      );
      expect(retry).toMatchObject({ kind: 'ingested', chunkDone: false });
      expect(await ingestChunkBatch(store, batch(runId, { attempt: 'retry', seq: 0 }))).toMatchObject({
        chunkDone: true,
        runComplete: true,
      });
    });

    it('drops batches of an unknown chunk and of a run that is not running', async () => {
      const running = await newRun();
      expect(await ingestChunkBatch(store, batch(running, { chunkIndex: 9 }))).toEqual({
        kind: 'dropped',
        reason: 'unknown chunk',
      });
      const queued = await newRun(false);
      await chunks(queued, 1);
      expect(await ingestChunkBatch(store, batch(queued, {}))).toEqual({
        kind: 'dropped',
        reason: 'run not running',
      });
      expect(await done(queued)).toBe(0);
    });
  });
});
