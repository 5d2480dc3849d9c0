// Issue 10, item 2: the controller's dispatch path and horizontal scale-out.
//   (a) plan + enqueue: POST /runs of a big scan (127.78.0.0/16 × TCP 1-16, 1 048 576 probes) on a controller
//       without workers, from the request until its answer, which the controller sends once the plan is made,
//       the run and chunk rows are written and every chunk job is in Redis (checked: the probe queue then
//       holds exactly the planned number of jobs). The run record splits it: POST → createdAt is the plan,
//       createdAt → startedAt the run's chunk rows, the rest the enqueue. Each run is then cancelled (its
//       queued chunks withdrawn): nothing is probed.
//   (b) scale-out: the same controller with 1, 2 and 3 workers, each capped at FLEETQRY_WORKER_RATE=3000
//       probes/s, on DISPATCH_NET (default 127.78.0.0/20) × TCP 1-16 in chunks of 2048 probes; each run from
//       POST /runs until the run has succeeded (evaluation included). Goal: 3 workers ≥ 2.5× the probes/s of 1.
// RUNS (default 2) rounds of everything; medians reported.
//
//   npx tsx tools/bench/scale/dispatch.ts    (OUT=dir RUNS=n DISPATCH_NET=127.78.0.0/19 DISPATCH_PARTS=plan|scale;
//                                             build first: npx tsc -b tsconfig.build.json)
import os from 'node:os';

import { QUEUES } from '@fleetqry/contracts';
import { Queue } from 'bullmq';

import { codeState } from '../src/lib/code-state.js';
import { Cluster, sleep, type RunOutcome } from './cluster.js';
import {
  assertSafeScale,
  median,
  outDir,
  probes,
  SCALE_FIRST,
  SCALE_LAST,
  SCALE_NET,
  writeResult,
} from './lib.js';

const PORTS = '1-16';
const PORT_COUNT = 16;
const RUNS = Math.min(10, Math.max(1, Number(process.env['RUNS'] ?? 2)));
const RATE = 3000;
const CHUNK_PROBES = 2048;
const WORKER_COUNTS = [1, 2, 3] as const;
const SPEEDUP_GOAL = 2.5;

/** The scale-out scan's block: a CIDR inside 127.78.0.0/16 (checked), /20 by default (65 536 probes). */
function scaleOutNet(): { cidr: string; first: string; last: string; hosts: number } {
  const cidr = process.env['DISPATCH_NET'] ?? '127.78.0.0/20';
  const m = /^127\.78\.(\d{1,3})\.0\/(1[6-9]|2[0-4])$/.exec(cidr);
  if (!m) throw new Error(`DISPATCH_NET ${cidr}: must be 127.78.<n>.0/16-24`);
  const bits = Number(m[2]);
  const hosts = 2 ** (32 - bits);
  const third = Number(m[1]);
  const lastThird = third + hosts / 256 - 1;
  if (third % (hosts / 256 || 1) !== 0 || lastThird > 255)
    throw new Error(`DISPATCH_NET ${cidr}: not aligned`);
  return { cidr, first: `127.78.${third}.0`, last: `127.78.${Math.max(third, lastThird)}.255`, hosts };
}

/** Waiting, prioritised, delayed and active jobs of the probe queue. */
async function queuedProbeJobs(cluster: Cluster): Promise<number> {
  const queue = new Queue(QUEUES.probe, {
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 },
    prefix: cluster.prefix,
  });
  try {
    const c = await queue.getJobCounts('wait', 'prioritized', 'delayed', 'active');
    return Object.values(c).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
  }
}

interface ChunkLog {
  worker: string;
  endMs: number;
  durationMs: number;
}

/** Every `chunk probed` line of a run, from the workers' JSON logs. */
function chunkLogs(cluster: Cluster, runId: string): ChunkLog[] {
  return cluster.workers.flatMap((w) =>
    w.grep('"chunk probed"').flatMap((line) => {
      try {
        const j = JSON.parse(line) as { runId?: string; time: number; durationMs: number };
        return j.runId === runId ? [{ worker: w.name, endMs: j.time, durationMs: j.durationMs }] : [];
      } catch {
        return [];
      }
    }),
  );
}

async function planEnqueue(dir: string) {
  const rounds: (RunOutcome & { queued: number; enqueueMs: number; chunkSize: number })[] = [];
  for (const chunkSize of [4096, CHUNK_PROBES]) {
    const cluster = await Cluster.start({
      dir,
      name: `plan_c${chunkSize}`,
      workers: 0,
      controllerEnv: { FLEETQRY_CHUNK_PROBES: String(chunkSize) },
    });
    try {
      const scanId = await cluster.createScan('scale-16', [SCALE_NET], PORTS);
      for (let r = 1; r <= RUNS; r++) {
        const loadavg = os.loadavg();
        const wallStart = Date.now();
        const t0 = performance.now();
        const posted = await cluster.api('POST', '/runs', { scanDefinitionId: scanId }, 300_000);
        const postMs = Math.round(performance.now() - t0);
        if (posted.status !== 202)
          throw new Error(`POST /runs: ${posted.status} ${JSON.stringify(posted.body)}`);
        const queued = await queuedProbeJobs(cluster);
        const run = posted.body;
        const planMs = Date.parse(run.createdAt) - wallStart;
        const chunkRowsMs = Date.parse(run.startedAt) - Date.parse(run.createdAt);
        const outcome = {
          runId: run.id as string,
          status: run.status as string,
          postMs,
          wallMs: postMs,
          observedMs: postMs,
          planMs,
          chunkRowsMs,
          enqueueMs: postMs - planMs - chunkRowsMs,
          hosts: run.hosts as number,
          totalProbes: run.progress.totalProbes as number,
          chunks: run.progress.chunks as number,
          error: null,
          cpuSec: { controller: 0, workers: [] },
          queued,
          chunkSize,
          loadavg,
        };
        console.log(
          `plan+enqueue (${chunkSize}/chunk) r${r}: ${postMs} ms (plan ${planMs}, chunk rows ${chunkRowsMs}, ` +
            `enqueue ${outcome.enqueueMs}), ${outcome.chunks} chunks, ${queued} jobs queued`,
        );
        rounds.push(outcome);
        const cancelled = await cluster.api('POST', `/runs/${run.id}/cancel`);
        if (cancelled.status !== 200) throw new Error(`cancel: ${cancelled.status}`);
        await sleep(500);
      }
    } finally {
      await cluster.stop();
    }
  }
  return rounds;
}

async function scaleOut(dir: string, net: ReturnType<typeof scaleOutNet>) {
  const cluster = await Cluster.start({
    dir,
    name: 'scaleout',
    workers: 0,
    controllerEnv: { FLEETQRY_CHUNK_PROBES: String(CHUNK_PROBES) },
    workerEnv: { FLEETQRY_WORKER_RATE: String(RATE) },
  });
  const runs: {
    round: number;
    workers: number;
    loadavg: number[];
    outcome: RunOutcome;
    probesPerSec: number;
    /** First chunk's start to last chunk's end (worker logs), s. */
    probingSec: number;
    /** Sum of chunk durations per worker / probing span: how busy each worker was. */
    busy: number[];
    chunksPerWorker: number[];
  }[] = [];
  try {
    const scanId = await cluster.createScan(`scaleout-${net.cidr}`, [net.cidr], PORTS);
    for (let round = 1; round <= RUNS; round++) {
      await cluster.stopWorkers();
      for (const n of WORKER_COUNTS) {
        await cluster.addWorkers(n - cluster.workers.length);
        await sleep(1000);
        const loadavg = os.loadavg();
        const outcome = await cluster.run(scanId, 10 * 60_000);
        if (outcome.status !== 'succeeded')
          throw new Error(`run ${outcome.runId} ended ${outcome.status}: ${outcome.error ?? ''}`);
        const logs = chunkLogs(cluster, outcome.runId);
        const start = Math.min(...logs.map((l) => l.endMs - l.durationMs));
        const end = Math.max(...logs.map((l) => l.endMs));
        const span = end - start;
        const names = cluster.workers.map((w) => w.name);
        const busy = names.map(
          (name) =>
            Math.round(
              (logs.filter((l) => l.worker === name).reduce((s, l) => s + l.durationMs, 0) / span) * 100,
            ) / 100,
        );
        const chunksPerWorker = names.map((name) => logs.filter((l) => l.worker === name).length);
        const probesPerSec = Math.round(outcome.totalProbes / (outcome.wallMs / 1000));
        console.log(
          `scale-out r${round}, ${n} worker(s): ${(outcome.wallMs / 1000).toFixed(2)} s, ${probesPerSec} probes/s ` +
            `(probing ${(span / 1000).toFixed(2)} s, busy ${busy.join('/')}, chunks ${chunksPerWorker.join('/')})`,
        );
        runs.push({
          round,
          workers: n,
          loadavg,
          outcome,
          probesPerSec,
          probingSec: Math.round(span) / 1000,
          busy,
          chunksPerWorker,
        });
      }
    }
  } finally {
    await cluster.stop();
  }
  return runs;
}

async function main(): Promise<void> {
  const net = scaleOutNet();
  assertSafeScale(SCALE_FIRST, SCALE_LAST, 1, PORT_COUNT);
  assertSafeScale(net.first, net.last, 1, PORT_COUNT);
  const dir = outDir();
  const startLoad = os.loadavg();

  // DISPATCH_PARTS=plan or =scale runs one part only (a trial; the goals of the other part then read as missed).
  const parts = (process.env['DISPATCH_PARTS'] ?? 'plan,scale').split(',');
  const plans = parts.includes('plan') ? await planEnqueue(dir) : [];
  const scale = parts.includes('scale') ? await scaleOut(dir, net) : [];

  const byWorkers = Object.fromEntries(
    WORKER_COUNTS.map((n) => {
      const rs = scale.filter((r) => r.workers === n);
      return [
        n,
        {
          medianWallSec: Math.round(median(rs.map((r) => r.outcome.wallMs)) / 10) / 100,
          medianProbesPerSec: Math.round(median(rs.map((r) => r.probesPerSec))),
          medianProbingSec: Math.round(median(rs.map((r) => r.probingSec)) * 100) / 100,
        },
      ];
    }),
  ) as Record<
    (typeof WORKER_COUNTS)[number],
    { medianWallSec: number; medianProbesPerSec: number; medianProbingSec: number }
  >;
  const speedup = byWorkers[3].medianProbesPerSec / byWorkers[1].medianProbesPerSec;
  const plan = (size: number) => {
    const rs = plans.filter((p) => p.chunkSize === size);
    return {
      chunkProbes: size,
      chunks: rs[0]?.chunks ?? 0,
      medianPostMs: median(rs.map((r) => r.postMs)),
      medianPlanMs: median(rs.map((r) => r.planMs)),
      medianChunkRowsMs: median(rs.map((r) => r.chunkRowsMs)),
      medianEnqueueMs: median(rs.map((r) => r.enqueueMs)),
      allQueued: rs.length > 0 && rs.every((r) => r.queued === r.chunks),
    };
  };
  const planDefault = plan(4096);
  const planSmall = plan(CHUNK_PROBES);
  const scaleProbes = probes(net.hosts, PORT_COUNT);

  writeResult(dir, 'dispatch', {
    bench: 'dispatch',
    description:
      `plan + enqueue of ${SCALE_NET} × TCP ${PORTS} (${probes(65_536, PORT_COUNT)} probes) without workers; ` +
      `scale-out on ${net.cidr} × TCP ${PORTS} (${scaleProbes} probes, ${CHUNK_PROBES} probes per chunk) with ` +
      `1, 2, 3 workers at FLEETQRY_WORKER_RATE=${RATE}; ${RUNS} rounds, medians`,
    machine: { cpus: os.cpus().length, loadavgStart: startLoad, loadavgEnd: os.loadavg() },
    ...codeState(),
    planEnqueue: { byChunkSize: [planDefault, planSmall], runs: plans },
    scaleOut: {
      net: net.cidr,
      probes: scaleProbes,
      chunkProbes: CHUNK_PROBES,
      workerRate: RATE,
      byWorkers,
      speedup3v1: Math.round(speedup * 100) / 100,
      runs: scale,
    },
    goals: [
      {
        item: `plan + enqueue, ${SCALE_NET} × TCP ${PORTS}, ${planDefault.chunks} chunks (POST /runs → all jobs queued)`,
        figure:
          `${planDefault.medianPostMs} ms (plan ${planDefault.medianPlanMs}, chunk rows ` +
          `${planDefault.medianChunkRowsMs}, enqueue ${planDefault.medianEnqueueMs}); ${planSmall.chunks} chunks: ` +
          `${planSmall.medianPostMs} ms`,
        goal: 'measured; every planned chunk queued when POST /runs answers',
        met: planDefault.allQueued && planSmall.allQueued,
      },
      {
        item: `probes/s with 1, 2, 3 workers at ${RATE}/s each (${net.cidr} × TCP ${PORTS}, POST → succeeded)`,
        figure: WORKER_COUNTS.map(
          (n) => `${n}: ${byWorkers[n].medianProbesPerSec}/s (${byWorkers[n].medianWallSec} s)`,
        ).join(', '),
        goal: `1 worker ≥ 10 s (${byWorkers[1].medianWallSec} s)`,
        met: byWorkers[1].medianWallSec >= 10,
      },
      {
        item: 'scale-out, 3 workers vs 1',
        figure: `${speedup.toFixed(2)}×`,
        goal: `≥ ${SPEEDUP_GOAL}×`,
        met: speedup >= SPEEDUP_GOAL,
      },
    ],
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
