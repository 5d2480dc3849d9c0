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
