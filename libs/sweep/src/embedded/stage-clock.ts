/** The embedded pipeline's stages (`store` opens the store and records the run beside `probe`). */
export type SweepStage = 'plan' | 'store' | 'probe' | 'ingest' | 'evaluate' | 'report';

/**
 * Reports a stage's wall time: from the end of `after` (or the sweep's start) to now. Marks are kept so
 * `store`, which runs beside `probe`, is measured from the plan like the probe is.
 */
export function stageClock(
  onStage: ((stage: SweepStage, ms: number) => void) | undefined,
  now: () => number = () => performance.now(),
): (name: SweepStage, after?: SweepStage) => void {
  const start = now();
  const ends = new Map<SweepStage, number>();
  return (name, after) => {
    const t = now();
    ends.set(name, t);
    onStage?.(name, t - (after ? (ends.get(after) ?? start) : start));
  };
}
