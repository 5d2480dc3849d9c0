// A big fleetqry store built fast, for the report and retention benchmarks (issue 10 items 7 and 8): runs
// of one scan definition are created through the store (so each has its partitions), then filled server-side
// with `INSERT … SELECT … FROM generate_series` — informative observations, per-host coverage and findings
// that look like a /16 sweep's (127.78.0.0/16, addresses as text, the baseline policy's rules). Nothing is
// probed: the rows are made up in SQL.

import type { Observation } from '@fleetqry/contracts';
import type { Store } from '@fleetqry/store';
import { createRun, ensureScanDefinition, finishRun, toRunRecord, type RunRecord } from '@fleetqry/store';

import { codeState, type CodeState } from '../src/lib/code-state.js';
import { envInt } from './lib.js';

/** Hosts of the /16 every run covers. */
const HOSTS = 65_536;

export interface BigStoreSize {
  runs: number;
  /** Observation rows over all runs (informative rows only, as the store keeps them). */
  observations: number;
  /** Findings in each run. */
  findingsPerRun: number;
}

/** OBS (total), FINDINGS (per run), RUNS from the environment, over the given defaults. */
export function sizeFromEnv(defaults: BigStoreSize): BigStoreSize {
  const n = (name: string, d: number, max: number) => envInt(name, d, 1, max);
  return {
    runs: n('RUNS', defaults.runs, 200),
    observations: n('OBS', defaults.observations, 100_000_000),
    findingsPerRun: n('FINDINGS', defaults.findingsPerRun, 65_536 * FINDING_SLOTS.length),
  };
}

// The informative cells of a host: (proto, port, service); a run's rows are a spread-out subset of
// HOSTS × OBS_SLOTS (a multiplicative permutation of the cell index, so every host gets a few).
const OBS_SLOTS: [string, number, string][] = [
  ['tcp', 22, 'ssh'],
  ['tcp', 80, 'http'],
  ['tcp', 443, 'https'],
  ['tcp', 21, 'ftp'],
  ['tcp', 23, 'telnet'],
  ['tcp', 25, 'smtp'],
  ['tcp', 445, 'microsoft-ds'],
  ['tcp', 3389, 'ms-wbt-server'],
  ['tcp', 8080, 'http-proxy'],
  ['tcp', 389, 'ldap'],
  ['udp', 161, 'snmp'],
  ['udp', 53, 'domain'],
];

// The baseline policy's rules as findings: (rule, severity, proto, port, service, title). port.forbidden
// has four ports, so it is the biggest rule (a realistic skew).
const FINDING_SLOTS: [string, string, string, number, string, string][] = [
  ['snmp.community.public', 'critical', 'udp', 161, 'snmp', 'SNMP answers the community "public"'],
  ['snmp.community.private', 'high', 'udp', 161, 'snmp', 'SNMP answers the community "private"'],
  ['snmp.community.empty', 'high', 'udp', 161, 'snmp', 'SNMP answers an empty community'],
  ['snmp.v1v2c-where-v3-required', 'high', 'udp', 161, 'snmp', 'SNMP v1/v2c where v3 is required'],
  ['telnet.listening', 'high', 'tcp', 23, 'telnet', 'Telnet is listening'],
  ['ftp.anonymous', 'high', 'tcp', 21, 'ftp', 'FTP accepts anonymous logins'],
  ['port.forbidden', 'medium', 'tcp', 135, 'epmap', 'Forbidden port 135/tcp is listening'],
  ['port.forbidden', 'medium', 'tcp', 445, 'microsoft-ds', 'Forbidden port 445/tcp is listening'],
  ['port.forbidden', 'medium', 'tcp', 3389, 'ms-wbt-server', 'Forbidden port 3389/tcp is listening'],
  ['port.forbidden', 'medium', 'tcp', 5900, 'vnc', 'Forbidden port 5900/tcp is listening'],
  ['port.required', 'medium', 'tcp', 22, 'ssh', 'Required port 22/tcp is not listening'],
  ['banner.mismatch', 'medium', 'tcp', 22, 'ssh', 'SSH banner does not match the allowed products'],
  ['ldap.anonymous-rootdse', 'info', 'tcp', 389, 'ldap', 'LDAP rootDSE readable anonymously'],
];

/** A prime coprime with HOSTS × any slot count here: the permutation multiplier. */
const SPREAD = 1_000_003;

const values = (rows: (string | number)[][]) =>
  rows
    .map((r) => `(${r.map((v) => (typeof v === 'number' ? v : `'${v.replace(/'/g, "''")}'`)).join(', ')})`)
    .join(',\n  ');

/** The address of host index `h` (0..65535) in 127.78.0.0/16, as SQL text. */
const ADDRESS_SQL = (h: string) => `'127.78.' || (${h} >> 8) || '.' || (${h} & 255)`;

/** $1 run, $2 rows, $3 observed_at. */
const OBSERVATIONS_SQL = `
INSERT INTO "observations" ("run_id", "host", "address", "proto", "port", "check", "state", "reason", "service",
                            "data", "evidence", "observed_at")
SELECT $1::uuid, a, a, s.proto, s.port, 'port', st.state, st.reason, s.service,
       CASE WHEN st.state = 'LISTENING' THEN
         jsonb_build_object('rttMs', round(((x % 977) / 100.0)::numeric, 2))
         || CASE WHEN s.port = 22 THEN jsonb_build_object('banner', 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3')
                 ELSE '{}'::jsonb END
       END,
       CASE WHEN st.state = 'LISTENING' AND s.port = 22 THEN 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' END,
       $3::timestamptz + ((x % 3600) || ' seconds')::interval
  FROM (SELECT c % ${HOSTS} AS h, c / ${HOSTS} AS slot, (c * 2654435761) % 4294967296 AS x
          FROM (SELECT (i::bigint * ${SPREAD}) % (${HOSTS}::bigint * ${OBS_SLOTS.length}) AS c
                  FROM generate_series(0, $2::bigint - 1) i) cells) g
  JOIN (VALUES
  ${values(OBS_SLOTS.map(([proto, port, service], i) => [i, proto, port, service]))}
  ) AS s(slot, proto, port, service) ON s.slot = g.slot
  CROSS JOIN LATERAL (SELECT ${ADDRESS_SQL('g.h')} AS a) addr
  CROSS JOIN LATERAL (SELECT
      CASE WHEN s.proto = 'udp' THEN (CASE WHEN x % 100 < 70 THEN 'LISTENING' ELSE 'LISTENING or FILTERED' END)
           ELSE (CASE WHEN x % 100 < 85 THEN 'LISTENING' ELSE 'FILTERED' END) END AS state,
      CASE WHEN s.proto = 'udp' THEN (CASE WHEN x % 100 < 70 THEN 'protocol-response' ELSE 'no-response' END)
           ELSE (CASE WHEN x % 100 < 85 THEN 'syn-ack' ELSE 'timeout' END) END AS reason) st
 ORDER BY a, s.proto, s.port`;

/** $1 run, $2 observed_at: every host's TCP 1-1024 closed ports but the informative slots'. */
const COVERAGE_SQL = `
INSERT INTO "run_coverage" ("run_id", "address", "proto", "host", "closed", "observed_at")
SELECT $1::uuid, ${ADDRESS_SQL('h')}, 'tcp', NULL,
       '{[1,1025)}'::int4multirange - '{${OBS_SLOTS.filter(([p, port]) => p === 'tcp' && port <= 1024)
         .map(([, port]) => `[${port},${port + 1})`)
         .join(',')}}'::int4multirange,
       $2::timestamptz + ((h % 3600) || ' seconds')::interval
  FROM generate_series(0, ${HOSTS - 1}) h
 ORDER BY 2`;

/**
 * $1 run, $2 findings, $3 run index (varies the statuses), $4 first seen, $5 last seen, $6 waiver id.
 * Tags by host: an environment, a data centre (/18 blocks), pci on every tenth host, dmz on every eighth /24.
 */
const FINDINGS_SQL = `
INSERT INTO "findings" ("run_id", "key", "rule", "severity", "host", "address", "proto", "port", "title", "evidence",
                        "status", "tags", "owner", "refs", "waiver_id", "first_seen", "last_seen")
SELECT $1::uuid, s.rule || '|' || a || '|' || s.proto || '/' || s.port,
       s.rule, s.severity::"severity", a, a, s.proto, s.port, s.title,
       jsonb_build_object('state', 'LISTENING', 'reason', 'syn-ack', 'service', s.service, 'port', s.port),
       st.status::"finding_status",
       array_remove(ARRAY[(ARRAY['prod', 'dev', 'staging'])[g.h % 3 + 1], 'dc' || (g.h >> 14) + 1,
                          CASE WHEN g.h % 10 = 0 THEN 'pci' END, CASE WHEN (g.h >> 8) % 8 = 0 THEN 'dmz' END], NULL),
       'team-' || (g.h % 7),
       CASE WHEN s.rule LIKE 'snmp.%' THEN ARRAY['CVE-1999-0517'] ELSE ARRAY[]::text[] END,
       CASE WHEN st.status = 'waived' THEN $6::uuid END,
       CASE WHEN st.status = 'new' THEN $5::timestamptz ELSE $4::timestamptz END, $5::timestamptz
  FROM (SELECT c % ${HOSTS} AS h, c / ${HOSTS} AS slot, ((c * 2246822519) + $3::bigint * 374761393) % 4294967296 AS x
          FROM (SELECT (i::bigint * ${SPREAD}) % (${HOSTS}::bigint * ${FINDING_SLOTS.length}) AS c
                  FROM generate_series(0, $2::bigint - 1) i) cells) g
  JOIN (VALUES
  ${values(FINDING_SLOTS.map(([rule, severity, proto, port, service, title], i) => [i, rule, severity, proto, port, service, title]))}
  ) AS s(slot, rule, severity, proto, port, service, title) ON s.slot = g.slot
  CROSS JOIN LATERAL (SELECT ${ADDRESS_SQL('g.h')} AS a) addr
  CROSS JOIN LATERAL (SELECT CASE WHEN x % 100 < 80 THEN 'persisting' WHEN x % 100 < 88 THEN 'new'
                                  WHEN x % 100 < 95 THEN 'resolved' ELSE 'waived' END AS status) st`;

export interface BigStore {
  definitionId: string;
  /** Oldest first. */
  runs: RunRecord[];
  rows: { observations: number; coverage: number; findings: number };
  /** Milliseconds: creating runs (with partitions), each fill, VACUUM ANALYZE, all. */
  buildMs: {
    createRuns: number;
    observations: number;
    coverage: number;
    findings: number;
    vacuumAnalyze: number;
    total: number;
  };
}

const since = (t0: number) => Math.round(performance.now() - t0);

/**
 * Creates `size.runs` succeeded runs of one scan definition (a day apart, the newest finished now) and fills
 * their partitions. Ends with VACUUM (ANALYZE) of the filled tables: what autovacuum does to insert-only
 * tables on a controller left alone overnight (the visibility map that index-only counts use, statistics).
 */
export async function buildBigStore(
  store: Store,
  size: BigStoreSize,
  opts: { scan?: string; log?: (line: string) => void } = {},
): Promise<BigStore> {
  const log = opts.log ?? (() => {});
  const perRun = Math.floor(size.observations / size.runs);
  if (perRun > HOSTS * OBS_SLOTS.length) throw new Error(`OBS: at most ${HOSTS * OBS_SLOTS.length} per run`);
  const t0 = performance.now();
  const definition = await ensureScanDefinition(store.prisma, opts.scan ?? 'bench-big-store', {
    tcpPorts: '1-1024',
    udpPorts: '53,161',
  });
  const waiver = await store.sql((c) =>
    c.query<{ id: string }>(
      `INSERT INTO "waivers" ("rule", "host_pattern", "owner", "reason", "expires_at", "created_by")
       VALUES ('port.forbidden', '127.78.0.0/16', 'secops', 'bench: accepted risk', now() + interval '1 year', 'bench')
       RETURNING "id"`,
    ),
  );
  const waiverId = waiver.rows[0]!.id;
  const day = 86_400_000;
  const now = Date.now();
  const runs: RunRecord[] = [];
  for (let r = 0; r < size.runs; r++) {
    const { run } = await createRun(store.prisma, {
      trigger: 'schedule',
      scanDefinitionId: definition.id,
      policyName: 'baseline',
      hosts: HOSTS,
      totalProbes: HOSTS * 1026,
      plan: { targets: ['127.78.0.0/16'], tcp: '1-1024', udp: '53,161', bench: true },
    });
    runs.push(run);
  }
  const createRuns = since(t0);
  log(`created ${size.runs} runs with their partitions in ${createRuns} ms`);
  const ms = { observations: 0, coverage: 0, findings: 0 };
  await store.sql(async (c) => {
    // The fills sort by the primary key before inserting (a btree filled in order); give the sort memory.
    // The session goes back to the pool: RESET, or later queries on it (the benches' measurements) would
    // run with this work_mem instead of the server's.
    await c.query(`SET work_mem = '256MB'`);
    try {
      for (let r = 0; r < size.runs; r++) {
        const run = runs[r]!;
        const at = new Date(now - (size.runs - 1 - r) * day);
        const started = new Date(at.getTime() - 3_600_000);
        let t = performance.now();
        await c.query(OBSERVATIONS_SQL, [run.id, perRun, started.toISOString()]);
        ms.observations += since(t);
        t = performance.now();
        await c.query(COVERAGE_SQL, [run.id, started.toISOString()]);
        ms.coverage += since(t);
        t = performance.now();
        await c.query(FINDINGS_SQL, [
          run.id,
          size.findingsPerRun,
          r,
          new Date(now - size.runs * day).toISOString(),
          at.toISOString(),
          waiverId,
        ]);
        ms.findings += since(t);
        await c.query(
          `UPDATE "runs" SET "created_at" = $2, "started_at" = $2, "heartbeat_at" = $3, "done_probes" = "total_probes"
            WHERE "id" = $1::uuid`,
          [run.id, started, at],
        );
        log(
          `run ${r + 1}/${size.runs}: filled (${(ms.observations + ms.coverage + ms.findings) / 1000} s so far)`,
        );
      }
    } finally {
      await c.query('RESET work_mem');
    }
  });
  for (let r = 0; r < size.runs; r++) {
    const at = new Date(now - (size.runs - 1 - r) * day);
    await finishRun(store.prisma, runs[r]!.id, { status: 'succeeded' }, at);
  }
  const t = performance.now();
  await store.sql(async (c) => {
    // One statement each: VACUUM cannot run in the implicit transaction of a multi-statement query.
    for (const table of ['observations', 'run_coverage', 'findings', 'runs', 'waivers'])
      await c.query(`VACUUM (ANALYZE) "${table}"`);
  });
  const vacuumAnalyze = since(t);
  log(`VACUUM (ANALYZE) in ${vacuumAnalyze} ms`);
  const final = await store.prisma.run.findMany({
    where: { scanDefinitionId: definition.id },
    orderBy: { number: 'asc' },
  });
  return {
    definitionId: definition.id,
    runs: final.map(toRunRecord),
    rows: {
      observations: perRun * size.runs,
      coverage: HOSTS * size.runs,
      findings: size.findingsPerRun * size.runs,
    },
    buildMs: { createRuns, ...ms, vacuumAnalyze, total: since(t0) },
  };
}

export interface PartitionedSize {
  partitions: number;
  /** pg_total_relation_size summed over the parent's partition tree (heap, TOAST, indexes). */
  bytes: number;
  rows: number;
}

/** The run-partitioned tables' sizes, summed over pg_partition_tree; `rows` from the statistics. */
export async function partitionedSizes(store: Store): Promise<Record<string, PartitionedSize>> {
  const out: Record<string, PartitionedSize> = {};
  for (const table of ['observations', 'run_coverage', 'findings']) {
    const r = await store.sql((c) =>
      c.query<{ partitions: number; bytes: string; rows: string }>(
        `SELECT count(*) FILTER (WHERE t.isleaf)::int AS partitions,
                coalesce(sum(pg_total_relation_size(t.relid)), 0)::bigint AS bytes,
                coalesce(sum(greatest(c.reltuples, 0)) FILTER (WHERE t.isleaf), 0)::bigint AS rows
           FROM pg_partition_tree($1::regclass) t JOIN pg_class c ON c.oid = t.relid`,
        [table],
      ),
    );
    const row = r.rows[0]!;
    out[table] = { partitions: row.partitions, bytes: Number(row.bytes), rows: Number(row.rows) };
  }
  return out;
}

/**
 * Batch `b` of `size` observations for a new run, as a worker reports them: distinct cells (host × port) of
 * the /16, so no batch collides with another; open ports with their round trip.
 */
export function observationBatch(b: number, size: number, at = new Date()): Observation[] {
  const observedAt = at.toISOString();
  const out: Observation[] = [];
  for (let k = 0; k < size; k++) {
    const cell = b * size + k;
    const h = cell % HOSTS;
    const address = `127.78.${h >> 8}.${h & 255}`;
    out.push({
      host: address,
      address,
      proto: 'tcp',
      port: 1 + Math.floor(cell / HOSTS),
      state: 'LISTENING',
      reason: 'syn-ack',
      rttMs: (cell % 977) / 100,
      observedAt,
    });
  }
  return out;
}

/** The server's version and the settings the figures depend on (as a pooled session sees them). */
export async function serverSettings(store: Store): Promise<Record<string, string>> {
  const r = await store.sql((c) =>
    c.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings
        WHERE name IN ('server_version', 'shared_buffers', 'work_mem', 'maintenance_work_mem', 'jit',
                       'max_parallel_workers_per_gather', 'random_page_cost', 'effective_cache_size')
        ORDER BY name`,
    ),
  );
  return Object.fromEntries(r.rows.map((row) => [row.name, row.setting]));
}

/** What was measured: the repository's commit (and whether the tree had changes) and the store's migrations. */
export function codeVersion(store: Store): CodeState & { migrations: string[] } {
  return { ...codeState(), migrations: store.migrations?.applied ?? [] };
}
