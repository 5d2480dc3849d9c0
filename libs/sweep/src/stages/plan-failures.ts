import type { PlanFailure } from '@fleetqry/contracts';

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
