import type { PlanFailure } from '@fleetqry/contracts';
import type { TargetFailure } from '@fleetqry/probe';

const NAMED = 3;

/**
 * The error of a run none of whose targets can be probed (every name failed to resolve): such a run ends
 * failed at once, in both transports. The first failures are named; the run's plan keeps all of them.
 */
export function nothingToProbeError(failures: readonly PlanFailure[]): string {
  const named = failures.slice(0, NAMED).map((f) => f.error);
  const more = failures.length > NAMED ? `; and ${failures.length - NAMED} more` : '';
  return `no target could be probed (${failures.length} failed at plan time): ${named.join('; ')}${more}`;
}

/**
 * The failures probing found that a run's report does not hold already: a name the plan could not resolve
 * is stored with the run, so its failure is dropped here; a failure at an address is the probe's own.
 */
export function probingFailures(
  failures: readonly TargetFailure[],
  planFailures: readonly PlanFailure[],
): TargetFailure[] {
  const unresolved = new Set(planFailures.map((f) => f.given));
  return failures.filter((f) => f.address !== undefined || !unresolved.has(f.given));
}
