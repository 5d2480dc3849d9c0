import { UsageError } from '../usage-error.js';

/** PortQry's local-mode command line: `-local [-v]`, `[-local] -wport N | -wpid N [-wt S] [-v]`, `-l FILE [-y]`. */
export type LocalArgs = {
  verbose: boolean;
  logFile?: string;
  overwriteLog: boolean;
  /** fleetqry additions (tests, containers with /proc elsewhere). */
  procRoot?: string;
  passwdPath?: string;
} & (
  { mode: 'local' } | { mode: 'watch'; target: { port: number } | { pid: number }; intervalSeconds: number }
);

/** `fleetqry local` options (commander). */
export const LOCAL_FORMATS = ['text', 'json', 'csv'] as const;

export interface LocalCommandOpts {
  format: (typeof LOCAL_FORMATS)[number];
  verbose?: boolean;
  procRoot: string;
  passwdFile: string;
}

const DEFAULT_WATCH_SECONDS = 60;
const VALUE_SWITCHES = new Set(['-wport', '-wpid', '-wt', '-l', '--proc-root', '--passwd-file']);
const FLAG_SWITCHES = new Set(['-local', '-v', '-y']);
const USAGE =
  'local mode: -local [-v] | [-local] -wport PORT | [-local] -wpid PID [-wt SECONDS] [-v], with [-l FILE [-y]]';

function wholeNumber(sw: string, value: string, min: number, max: number, what: string): number {
  const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${sw}: "${value}" is not ${what}`);
  return n;
}

/** Parses local-mode switches (case-insensitive, as PortQry); every error is one line naming the switch. */
export function parseLocalArgs(argv: readonly string[]): LocalArgs {
  const seen = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const sw = raw.toLowerCase();
    if (seen.has(sw)) throw new UsageError(`${raw}: given more than once`);
    if (FLAG_SWITCHES.has(sw)) {
      seen.set(sw, true);
      continue;
    }
    if (!VALUE_SWITCHES.has(sw))
      throw new UsageError(
        raw.startsWith('-') ? `${raw}: not valid in local mode (${USAGE})` : `unexpected "${raw}" (${USAGE})`,
      );
    const value = argv[++i];
    if (value === undefined || value.startsWith('-')) throw new UsageError(`${raw}: a value is required`);
    seen.set(sw, value);
  }
  const get = (k: string) => seen.get(k) as string | undefined;
  // `-local -wport 80` is how PortQry's documentation writes a watch: -local only says "local mode"
  const watches = ['-wport', '-wpid'].filter((k) => seen.has(k));
  if (watches.length > 1) throw new UsageError('-wport and -wpid: use only one of -wport and -wpid');
  const modes = watches.length ? watches : ['-local'].filter((k) => seen.has(k));
  if (seen.has('-wt') && !seen.has('-wport') && !seen.has('-wpid'))
    throw new UsageError('-wt: only valid together with -wport or -wpid');
  if (modes.length === 0) throw new UsageError(`-v: only valid together with -local, -wport or -wpid`);
  if (seen.has('-y') && !seen.has('-l')) throw new UsageError('-y: only valid together with -l');
  const common = {
    verbose: seen.has('-v'),
    ...(get('-l') !== undefined ? { logFile: get('-l') } : {}),
    overwriteLog: seen.has('-y'),
    ...(get('--proc-root') !== undefined ? { procRoot: get('--proc-root') } : {}),
    ...(get('--passwd-file') !== undefined ? { passwdPath: get('--passwd-file') } : {}),
  };
  if (modes[0] === '-local') return { ...common, mode: 'local' };
  const wt = get('-wt');
  const intervalSeconds =
    wt === undefined
      ? DEFAULT_WATCH_SECONDS
      : wholeNumber('-wt', wt, 1, 1200, 'a number of seconds from 1 to 1200');
  const port = get('-wport');
  const pid = get('-wpid');
  const target =
    port !== undefined
      ? { port: wholeNumber('-wport', port, 1, 65535, 'a port number from 1 to 65535') }
      : { pid: wholeNumber('-wpid', pid!, 1, 2 ** 31 - 1, 'a process ID') };
  return { ...common, mode: 'watch', target, intervalSeconds };
}
