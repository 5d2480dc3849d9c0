import { existsSync, writeFileSync } from 'node:fs';

import type { LocalSnapshot } from '@fleetqry/contracts';
import { readLocalSnapshot } from '@fleetqry/local';

import { EXIT } from '../exit-codes.js';
import { checkLogFile, logLayout } from '../portqry/portqry-log.js';
import { UsageError } from '../usage-error.js';
import { parseLocalArgs, type LocalCommandOpts } from './local-args.js';
import { localCsv } from './local-csv.js';
import { renderLocal } from './local-report.js';
import { runWatch, stopOnKeys } from './watch-run.js';

/** OK, unless no socket table could be read at all (nothing could be listed). */
function exitCode(snap: LocalSnapshot): number {
  const unreadable = snap.problems.filter((p) => /^Could not read .*\/net\/(tcp|udp)6? \(/.test(p));
  return snap.sockets.length === 0 && unreadable.length > 0 ? EXIT.INCOMPLETE : EXIT.OK;
}

/** `fleetqry -local [-v]` and `fleetqry -wport N | -wpid N [-wt S]`, in PortQry's layout, with `-l FILE [-y]`. */
export async function runPortqryLocal(argv: readonly string[]): Promise<number> {
  const args = parseLocalArgs(argv);
  checkLogFile(args.logFile, args.overwriteLog);
  const read = { procRoot: args.procRoot, passwdPath: args.passwdPath, verbose: args.verbose };
  if (args.mode === 'local') {
    const snap = readLocalSnapshot(read);
    const body = `${renderLocal(snap, args.verbose).join('\n')}\n`;
    process.stdout.write(body);
    if (args.logFile) writeFileSync(args.logFile, logLayout(argv, body));
    return exitCode(snap);
  }
  if ('pid' in args.target && !existsSync(`${args.procRoot ?? '/proc'}/${args.target.pid}`))
    throw new UsageError(`-wpid: no process with ID ${args.target.pid} is running`);
  const abort = new AbortController();
  const restore = stopOnKeys(abort);
  try {
    await runWatch({
      ...read,
      target: args.target,
      intervalMs: args.intervalSeconds * 1000,
      signal: abort.signal,
      write: (t) => process.stdout.write(t),
      ...(args.logFile ? { log: { path: args.logFile, argv } } : {}),
    });
  } finally {
    restore();
  }
  return EXIT.OK;
}

/** `fleetqry local`: text (PortQry's layout), json (the snapshot record) or csv (one row per socket). */
export function runLocalCommand(opts: LocalCommandOpts): number {
  const verbose = opts.verbose ?? false;
  const snap = readLocalSnapshot({ procRoot: opts.procRoot, passwdPath: opts.passwdFile, verbose });
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify(snap, null, 2)}\n`);
  else if (opts.format === 'csv') {
    process.stdout.write(localCsv(snap.sockets));
    for (const p of snap.problems) process.stderr.write(`fleetqry: warning: ${p}\n`);
  } else process.stdout.write(`${renderLocal(snap, verbose).join('\n')}\n`);
  return exitCode(snap);
}
