import {
  type HostCoverage,
  MAX_PORT,
  type Observation,
  type PortRange,
  PortSet,
  type Proto,
} from '@fleetqry/contracts';
import {
  applyLifecycle,
  canonicalAddress,
  closedPortFilter,
  compilePolicy,
  evaluate,
  ruleCatalog,
  type Coverage,
  type Policy,
  type PolicyHost,
  type Waiver,
} from '@fleetqry/policy';
import { expandCoverage } from '@fleetqry/probe';
import {
  copyRunFindings,
  deleteRunFindings,
  mergeRunPlan,
  previousRun,
  runFindingsBetween,
  runHostSlices,
  runHostViewsBetween,
  runCoverageBetween,
  runObservationsBetween,
  setRunEvaluated,
  settleRunFindings,
  type HostSlice,
  type RunRecord,
  type Store,
} from '@fleetqry/store';

export interface EvaluateStageInput {
  policy: Policy;
  hosts: readonly PolicyHost[];
  waivers: readonly Waiver[];
  now: Date;
  /** Load the host views (listener owners pushed by agents) of each batch's hosts, for host-view rules. */
  hostViews?: boolean;
  /** Hosts per batch (default 10000): bounds memory whatever the size of the run. */
  batchHosts?: number;
  /** Hosts evaluated so far, of the run's planned hosts, after each batch. */
  onProgress?(hostsDone: number, hostsTotal: number): void;
}

export interface EvaluateStageResult {
  /** Findings written for this run (new, persisting, waived, and the previous run's now resolved). */
  findings: number;
  /** Previous findings on hosts/ports this run did not probe: neither resolved nor persisting. */
  notRescanned: number;
  previous: RunRecord | null;
}

/**
 * The evaluate stage, streamed: the run's hosts in address order, a bounded batch at a time — its
 * informative observations plus the closed ports some rule could fire on (expanded from coverage), through
 * the policy; the lifecycle against the previous run's findings of the same address range; findings
 * appended with COPY. Re-evaluating a run starts by deleting its findings, so it is idempotent; the run is
 * marked succeeded by the caller only after the last batch.
 */
export async function evaluateStage(
  store: Store,
  run: RunRecord,
  input: EvaluateStageInput,
): Promise<EvaluateStageResult> {
  const policy = compilePolicy(input.policy);
  const wantClosed = closedPortFilter(policy.rules);
  const closedIn = wantClosed ? portsWhere(wantClosed) : { tcp: [], udp: [] };
  const previous = await previousRun(store.prisma, run);
  const batchHosts = input.batchHosts ?? 10_000;
  return store.sql(async (conn) => {
    await deleteRunFindings(conn, run.id);
    // Reports describe the rules as evaluated (a stored policy may change after the run).
    await mergeRunPlan(conn, run.id, { rules: ruleCatalog(input.policy) });
    await setRunEvaluated(conn, run.id, 0);
    const total = run.hosts;
    const result: EvaluateStageResult = { findings: 0, notRescanned: 0, previous };
    let after: string | null = null;
    let done = 0;
    const evaluateSlice = async (slice: HostSlice | undefined, upTo: string | null) => {
      const previousFindings = previous
        ? await runFindingsBetween(conn, previous.id, after, upTo)
        : undefined;
      const observations = slice ? await runObservationsBetween(conn, run.id, slice.first, slice.last) : [];
      // Closed ports matter only to rules that can fire on one, and to decide whether a previous finding is
      // resolved: load coverage for exactly that (on a clean fleet, nothing).
      const coverage = slice
        ? await runCoverageBetween(conn, run.id, slice.first, slice.last, {
            addresses: [...new Set((previousFindings ?? []).map((f) => f.address))],
            closedIn,
          })
        : [];
      const cells = wantClosed ? withClosedCells(observations, coverage, wantClosed) : observations;
      const current = evaluate({
        observations: cells,
        hosts: input.hosts,
        policy,
        now: input.now,
        ...(input.hostViews && slice
          ? { hostViews: await runHostViewsBetween(conn, run.id, slice.first, slice.last) }
          : {}),
      });
      const { findings, notRescanned } = applyLifecycle(
        current,
        previousFindings,
        input.waivers,
        input.now,
        coverageIndex(observations, coverage),
      );
      if (findings.length > 0) await copyRunFindings(conn, run.id, findings, input.now);
      result.findings += findings.length;
      result.notRescanned += notRescanned.length;
    };
    let pending: HostSlice | undefined;
    // One slice behind, so the last slice's upper bound can be open (previous findings past every current host).
    for await (const slice of runHostSlices(conn, run.id, batchHosts)) {
      if (pending) {
        await evaluateSlice(pending, pending.last);
        after = pending.last;
        done += pending.hosts;
        await setRunEvaluated(conn, run.id, done);
        input.onProgress?.(done, total);
      }
      pending = slice;
    }
    await evaluateSlice(pending, null);
    done += pending?.hosts ?? 0;
    await settleRunFindings(conn, run.id);
    await setRunEvaluated(conn, run.id, done);
    input.onProgress?.(done, total);
    return result;
  });
}

/** Every port a predicate accepts, per protocol, as ranges (65 536 × 2 calls, once per evaluation). */
function portsWhere(want: (proto: Proto, port: number) => boolean): Record<Proto, PortRange[]> {
  const of = (proto: Proto) => {
    const ports: PortRange[] = [];
    for (let port = 1; port <= MAX_PORT; port++) if (want(proto, port)) ports.push([port, port]);
    return [...PortSet.fromRanges(ports).ranges()];
  };
  return { tcp: of('tcp'), udp: of('udp') };
}

/** The informative observations plus the closed cells the policy asked for (a stored row for a cell wins). */
function withClosedCells(
  observations: Observation[],
  coverage: readonly HostCoverage[],
  want: (proto: Proto, port: number) => boolean,
): Observation[] {
  const stored = new Set(observations.map((o) => `${o.address}|${o.proto}/${o.port}`));
  const out = observations;
  for (const c of coverage) {
    for (const o of expandCoverage(c, want))
      if (!stored.has(`${o.address}|${o.proto}/${o.port}`)) out.push(o);
  }
  return out;
}

/** What a slice of the run probed: its observation cells and its coverage ranges (for "resolved"). */
function coverageIndex(observations: readonly Observation[], coverage: readonly HostCoverage[]): Coverage {
  const hosts = new Set<string>();
  const cells = new Set<string>();
  const ranges = new Map<string, HostCoverage['closed']>();
  for (const o of observations) {
    const a = canonicalAddress(o.address);
    hosts.add(a);
    cells.add(`${a}|${o.proto}/${o.port}`);
  }
  for (const c of coverage) {
    const a = canonicalAddress(c.address);
    hosts.add(a);
    ranges.set(`${a}|${c.proto}`, c.closed);
  }
  return {
    covers(address, proto, port) {
      const a = canonicalAddress(address);
      if (proto === undefined || port === undefined) return hosts.has(a);
      if (cells.has(`${a}|${proto}/${port}`)) return true;
      return (ranges.get(`${a}|${proto}`) ?? []).some(([first, last]) => port >= first && port <= last);
    },
  };
}
