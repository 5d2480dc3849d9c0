/** Plugins settle this much before their deadline, so the engine's backstop (run-query.ts) never fires. */
const SETTLE_MARGIN_MS = 25;

/** The part of a query's deadline (`ctx.timeoutMs`) a plugin may spend listening. */
export function queryWindowMs(timeoutMs: number): number {
  return Math.max(1, timeoutMs - Math.min(SETTLE_MARGIN_MS, timeoutMs / 10));
}
