import type { Finding, Observation } from '@fleetqry/contracts';
import {
  applyLifecycle,
  coverageOf,
  evaluate,
  type HostViewLookup,
  type Policy,
  type PolicyHost,
  type Waiver,
} from '@fleetqry/policy';
import {
  findingsOfRun,
  iterateObservations,
  previousRun,
  replaceRunFindings,
  type PrismaClient,
  type RunRecord,
} from '@fleetqry/store';

export interface EvaluateStageInput {
  policy: Policy;
  hosts: readonly PolicyHost[];
  waivers: readonly Waiver[];
  now: Date;
  /** Host views (listener owners pushed by agents) for the run's addresses, for host-view rules. */
  loadHostViews?: (addresses: string[]) => Promise<HostViewLookup>;
}

export interface EvaluateStageResult {
  findings: Finding[];
  /** Previous findings on hosts/ports this run did not probe: neither resolved nor persisting. */
  notRescanned: Finding[];
  previous: RunRecord | null;
}

/**
 * The evaluate stage: the run's stored observations through the policy, then the lifecycle against
 * the previous run of the same scan, written in one transaction (re-evaluating a run is idempotent).
 */
export async function evaluateStage(
  prisma: PrismaClient,
  run: RunRecord,
  input: EvaluateStageInput,
): Promise<EvaluateStageResult> {
  const observations: Observation[] = [];
  for await (const page of iterateObservations(prisma, run.id)) observations.push(...page);
  const hostViews = input.loadHostViews
    ? await input.loadHostViews([...new Set(observations.map((o) => o.address))])
    : undefined;
  const current = evaluate({
    observations,
    hosts: input.hosts,
    policy: input.policy,
    now: input.now,
    hostViews,
  });
  const previous = await previousRun(prisma, run);
  const previousFindings = previous ? await findingsOfRun(prisma, previous.id) : undefined;
  const { findings, notRescanned } = applyLifecycle(
    current,
    previousFindings,
    input.waivers,
    input.now,
    coverageOf(observations),
  );
  await replaceRunFindings(prisma, run.id, findings, input.now);
  return { findings, notRescanned, previous };
}
