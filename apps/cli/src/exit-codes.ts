/** Exit codes usable from cron and CI. PortQry's -q codes (0/1/2) apply only in PortQry mode with -q. */
export const EXIT = {
  OK: 0,
  /** Violations at or above --fail-on (sweep, report). */
  VIOLATIONS: 3,
  /** The run finished, but some requested checks could not run (unresolvable names, local errors). */
  INCOMPLETE: 4,
  /** Bad input: nothing was probed. (sysexits EX_USAGE) */
  USAGE: 64,
  /** Unexpected failure while running. (sysexits EX_SOFTWARE) */
  RUNTIME: 70,
  /** The reader of standard output went away; the run stopped (as a shell reports SIGPIPE). */
  BROKEN_PIPE: 141,
} as const;

const MEANING: Record<number, string> = {
  [EXIT.OK]: 'done',
  [EXIT.VIOLATIONS]: 'violations at or above --fail-on',
  [EXIT.INCOMPLETE]: 'some targets could not be probed (a name that does not resolve, a local error)',
  [EXIT.USAGE]: 'bad input, nothing was done',
  [EXIT.RUNTIME]: 'runtime failure',
  [EXIT.BROKEN_PIPE]: 'the reader of standard output went away (| head)',
};

/** The codes each subcommand can end with, for its --help. */
const COMMAND_EXITS: Record<string, readonly number[]> = {
  query: [EXIT.OK, EXIT.INCOMPLETE, EXIT.USAGE, EXIT.RUNTIME, EXIT.BROKEN_PIPE],
  sweep: [EXIT.OK, EXIT.VIOLATIONS, EXIT.INCOMPLETE, EXIT.USAGE, EXIT.RUNTIME],
  report: [EXIT.OK, EXIT.VIOLATIONS, EXIT.USAGE, EXIT.RUNTIME],
  scan: [EXIT.OK, EXIT.VIOLATIONS, EXIT.INCOMPLETE, EXIT.USAGE, EXIT.RUNTIME],
  local: [EXIT.OK, EXIT.INCOMPLETE, EXIT.USAGE, EXIT.RUNTIME],
};
const DEFAULT_EXITS = [EXIT.OK, EXIT.USAGE, EXIT.RUNTIME];

export function exitCodesHelp(command: string): string {
  const codes = COMMAND_EXITS[command] ?? DEFAULT_EXITS;
  return `\nExit codes:\n${codes.map((c) => `  ${String(c).padStart(3)}  ${MEANING[c]}`).join('\n')}\n`;
}
