import cliProgress from 'cli-progress';

/** A progress bar on stderr, only when stderr is a terminal (never in pipes, logs or CI). */
export interface Progress {
  tick(n: number): void;
  stop(): void;
}

/** `unit` names what is counted: probes while probing, hosts while evaluating. */
export function createProgress(
  total: number,
  enabled = process.stderr.isTTY === true,
  unit = 'probes',
): Progress {
  if (!enabled || total <= 0) return { tick: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ` {bar} {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = performance.now();
  let value = 0;
  bar.start(total, 0, { rate: 0 });
  return {
    tick(n) {
      value += n;
      const secs = (performance.now() - start) / 1000;
      bar.update(Math.min(value, total), { rate: secs > 0 ? Math.round(value / secs) : 0 });
    },
    stop() {
      bar.stop();
    },
  };
}
