import { closeSync, existsSync, openSync, writeSync } from 'node:fs';

import { portHolders, watchLocal, type LocalReadOptions, type WatchTarget } from '@fleetqry/local';

import { LOG_END, logHead } from '../portqry/portqry-log.js';
import { watchLine, watchSummary } from './local-report.js';

export interface WatchRun extends LocalReadOptions {
  target: WatchTarget;
  intervalMs: number;
  /** Stops the watch (keys, signals, tests). */
  signal: AbortSignal;
  write: (text: string) => void;
  /** `-l FILE`: PortQry's log layout, written line by line, closed with the end marker on stop. */
  log?: { path: string; argv: readonly string[] };
}

const describeTarget = (t: WatchTarget) => ('port' in t ? `port ${t.port}` : `process ID ${t.pid}`);

/**
 * Prints only changes, one timestamped line each, until the signal aborts. Each line goes to stdout
 * and the log with one synchronous write, so stopping at any moment never leaves a torn line, and the
 * log always ends with PortQry's end marker.
 */
export async function runWatch(run: WatchRun): Promise<void> {
  const fd = run.log ? openSync(run.log.path, 'w') : undefined;
  const out = (line: string) => {
    run.write(`${line}\n`);
    if (fd !== undefined) writeSync(fd, `${line}\n`);
  };
  try {
    if (fd !== undefined) writeSync(fd, logHead(run.log!.argv));
    const seconds = run.intervalMs / 1000;
    // PortQry's watch header, then the start summary, then only changes
    out('port' in run.target ? `Watching port: ${run.target.port}` : `Watching PID: ${run.target.pid}`);
    out('');
    out(`Checking for changes every ${seconds} second${seconds === 1 ? '' : 's'}`);
    if (run.verbose) out('verbose output requested');
    out('Press Esc, q or Ctrl+C to stop');
    out('');
    for await (const tick of watchLocal({ ...run, signal: run.signal })) {
      if (tick.baseline) {
        for (const line of watchSummary(
          portHolders(run.target, tick.all ?? []),
          describeTarget(run.target),
          tick.at,
        ))
          out(line);
        out(`${tick.at}  Watch started: ${tick.sockets.length} matching socket(s)`);
      }
      for (const e of tick.events) out(watchLine(e));
      if (
        'pid' in run.target &&
        !tick.baseline &&
        !existsSync(`${run.procRoot ?? '/proc'}/${run.target.pid}`) &&
        tick.events.length === 0
      ) {
        // nothing left to follow once the process is gone and its sockets are reported closed
        out(`${tick.at}  Process ID ${run.target.pid} has exited`);
        break;
      }
    }
    out(`${new Date().toISOString()}  Watch stopped`);
  } finally {
    if (fd !== undefined) {
      writeSync(fd, `\n${LOG_END}`);
      closeSync(fd);
    }
  }
}

/**
 * Esc, q or Ctrl+C stop the watch: raw-mode keys when stdin is a terminal, SIGINT/SIGTERM always.
 * Returns the cleanup that restores the terminal.
 */
export function stopOnKeys(abort: AbortController): () => void {
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  const onData = (d: Buffer) => {
    // a lone ESC byte is the Esc key; ESC followed by more is an arrow or function key
    if ((d.length === 1 && d[0] === 0x1b) || d.includes(0x03) || d.includes(0x71) || d.includes(0x51)) stop();
  };
  if (tty) {
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  }
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (tty) {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    }
  };
}
