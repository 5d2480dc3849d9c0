import { existsSync } from 'node:fs';
import { hostname } from 'node:os';

import { UsageError } from '../usage-error.js';

/** PortQry's `-l FILE` log layout, shared by query mode (run-portqry) and local/watch mode (local/). */

/** The command line as PortQry logs it, with the community masked. */
function loggedCommand(argv: readonly string[]): string {
  const out = argv.map((a, i) => (argv[i - 1]?.toLowerCase() === '-cn' ? '!*****!' : a));
  return `fleetqry ${out.join(' ')}`;
}

/** Everything before the body: title, date, command, local computer name. */
export function logHead(argv: readonly string[]): string {
  const head = [
    'PortQry Version 2.0 Log File (fleetqry)',
    '',
    `System Date: ${new Date().toString()}`,
    '',
    'Command run:',
    ` ${loggedCommand(argv)}`,
    '',
    'Local computer name:',
    '',
    ` ${hostname()}`,
    '',
  ];
  return `${head.join('\n')}\n`;
}

export const LOG_END = '======== end of log file ========\n';

/** A whole log: head, body, end marker. */
export function logLayout(argv: readonly string[], body: string): string {
  return `${logHead(argv)}${body}\n${LOG_END}`;
}

/** PortQry refuses to overwrite a log unless -y is given. */
export function checkLogFile(logFile: string | undefined, overwrite: boolean): void {
  if (logFile && existsSync(logFile) && !overwrite)
    throw new UsageError(`-l: log file ${logFile} already exists; add -y to overwrite it`);
}
