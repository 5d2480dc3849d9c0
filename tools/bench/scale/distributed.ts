// Issue 10, item 1: the distributed transport against `fleetqry query` on the same /16 × TCP 1-16
// (1 048 576 probes, every one answered by the local kernel's RST), measured in the same bench run.
//   (a) `fleetqry query -t 127.78.0.0/16 --tcp 1-16 -nr --config <bench config> --format jsonl --states
//       LISTENING --no-progress` (output to a file), under /usr/bin/time;
//   (b) controller + 2 workers as processes on a scratch database: POST /runs of the same scan until the run
//       has succeeded, with the peak resident memory of every process; then the stored run is checked.
// Goals: (b) within 2× the wall time of (a), the controller's peak RSS ≤ 512 MB. RUNS (default 2) rounds,
// each round runs (a) then (b) (a fresh cluster per round, so each peak is that round's); medians reported.
//
//   npx tsx tools/bench/scale/distributed.ts            (OUT=dir RUNS=n; needs npx tsc -b tsconfig.build.json)
import os from 'node:os';

import { codeState } from '../src/lib/code-state.js';
import { Cluster } from './cluster.js';
import {
  assertSafeScale,
  benchConfig,
  median,
  outDir,
  probes,
  queryArgs,
  runCli,
  SCALE_FIRST,
  SCALE_LAST,
  SCALE_NET,
  writeResult,
  type Measured,
} from './lib.js';

const PORTS = '1-16';
const HOSTS = 65_536;
const PROBES = probes(HOSTS, 16);
const RUNS = Math.min(10, Math.max(1, Number(process.env['RUNS'] ?? 2)));
const WORKERS = 2;
const RUN_TIMEOUT_MS = 15 * 60_000;
const RSS_GOAL_MB = 512;

interface StoredCheck {
  hosts: number;
  coverageHosts: number;
  closedProbes: number;
  observations: number;
  findings: number;
  ok: boolean;
}

function checkStored(cluster: Cluster, runId: string, runHosts: number): StoredCheck {
  const id = `'${runId}'::uuid`;
  const n = (sql: string) => Number(cluster.sql(sql));
  const coverageHosts = n(`SELECT count(DISTINCT address) FROM run_coverage WHERE run_id = ${id}`);
  const closedProbes = n(
    `SELECT coalesce(sum(upper(r) - lower(r)), 0) FROM run_coverage c, unnest(c.closed) AS r WHERE c.run_id = ${id}`,
  );
  const observations = n(`SELECT count(*) FROM observations WHERE run_id = ${id}`);
  const findings = n(`SELECT count(*) FROM findings WHERE run_id = ${id}`);
  return {
    hosts: runHosts,
    coverageHosts,
    closedProbes,
    observations,
    findings,
    ok:
      runHosts === HOSTS &&
      coverageHosts === HOSTS &&
      closedProbes === PROBES &&
      observations === 0 &&
      findings === 0,
  };
}

async function distributedRound(dir: string, round: number) {
  const loadavg = os.loadavg();
  const cluster = await Cluster.start({ dir, name: `dist_r${round}`, workers: WORKERS });
  try {
    const scanId = await cluster.createScan('scale-16', [SCALE_NET], PORTS);
    const outcome = await cluster.run(scanId, RUN_TIMEOUT_MS);
    const memory = cluster.memory();
    if (outcome.status !== 'succeeded')
      throw new Error(`run ${outcome.runId} ended ${outcome.status}: ${outcome.error ?? ''}`);
    const stored = checkStored(cluster, outcome.runId, outcome.hosts);
    const chunksPerWorker = cluster.workers.map((w) => w.grep('chunk probed').length);
    console.log(
      `distributed r${round}: ${(outcome.wallMs / 1000).toFixed(2)} s (POST ${outcome.postMs} ms), controller ` +
        `${memory.controller.hwmMb} MB, chunks per worker ${chunksPerWorker.join('/')}, CPU s controller ` +
        `${outcome.cpuSec.controller} workers ${outcome.cpuSec.workers.join('/')}, stored ok: ${stored.ok}`,
    );
    return { round, loadavg, ...outcome, memory, chunksPerWorker, stored };
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  assertSafeScale(SCALE_FIRST, SCALE_LAST, 1, 16);
  const dir = outDir();
  const config = benchConfig(dir);
  const startLoad = os.loadavg();
  const queries: Measured[] = [];
  const distributed: Awaited<ReturnType<typeof distributedRound>>[] = [];
  for (let round = 1; round <= RUNS; round++) {
    const q = await runCli(dir, `distributed.query.r${round}`, queryArgs(config, SCALE_NET, PORTS));
    if (q.timedOut) throw new Error(`query r${round} timed out`);
    console.log(`query r${round}: ${q.wall.toFixed(2)} s, ${Math.round(q.maxRssKb / 1024)} MB`);
    queries.push(q);
    distributed.push(await distributedRound(dir, round));
  }

  const queryWall = median(queries.map((q) => q.wall));
  const distWall = median(distributed.map((d) => d.wallMs / 1000));
  const controllerPeak = Math.max(...distributed.map((d) => d.memory.controller.hwmMb));
  const ratio = distWall / queryWall;
  const storedOk = distributed.every((d) => d.stored.ok);
  writeResult(dir, 'distributed', {
    bench: 'distributed',
    description:
      `fleetqry query vs controller + ${WORKERS} workers on ${SCALE_NET} × TCP ${PORTS} ` +
      `(${PROBES} probes), ${RUNS} rounds, medians`,
    machine: { cpus: os.cpus().length, loadavgStart: startLoad, loadavgEnd: os.loadavg() },
    ...codeState(),
    probes: PROBES,
    query: {
      medianWallSec: round2(queryWall),
      runs: queries.map((q) => ({
        wallSec: round2(q.wall),
        user: q.user,
        sys: q.sys,
        cpuPct: q.cpuPct,
        maxRssMb: Math.round(q.maxRssKb / 1024),
        loadavg1: q.loadavg1,
        command: q.command,
      })),
    },
    distributed: {
      workers: WORKERS,
      medianWallSec: round2(distWall),
      medianPostMs: median(distributed.map((d) => d.postMs)),
      probesPerSec: Math.round(PROBES / distWall),
      controllerPeakRssMb: controllerPeak,
      runs: distributed,
    },
    goals: [
      {
        item: 'distributed wall (2 workers) vs query, /16 × TCP 1-16',
        figure: `${distWall.toFixed(2)} s vs ${queryWall.toFixed(2)} s = ${ratio.toFixed(2)}×`,
        goal: '≤ 2×',
        met: ratio <= 2,
      },
      {
        item: 'controller peak RSS during the /16 run',
        figure: `${controllerPeak} MB`,
        goal: `≤ ${RSS_GOAL_MB} MB`,
        met: controllerPeak <= RSS_GOAL_MB,
      },
      {
        item: 'stored run: hosts, closed coverage, observations, findings',
        figure: distributed
          .map(
            (d) =>
              `${d.stored.coverageHosts} hosts, ${d.stored.closedProbes} closed, ` +
              `${d.stored.observations} obs, ${d.stored.findings} findings`,
          )
          .join('; '),
        goal: `${HOSTS} hosts, ${PROBES} closed, 0 observations, 0 findings`,
        met: storedOk,
      },
    ],
  });
}

const round2 = (x: number) => Math.round(x * 100) / 100;

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
