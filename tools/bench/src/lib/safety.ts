// Safety gate for every benchmark run: targets must be IPv4 addresses inside 127.0.0.0/8, nmap must
// never resolve names and must skip port 2024 (a foreign service on every address of the machine),
// fleetqry must not reverse-resolve and must use the lab's config (which excludes 2024).
// Anything else aborts the run before a single packet is sent.

export class SafetyError extends Error {}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Strict dotted-quad parse; null for anything else (no octal, hex, short forms or CIDRs). */
function parseIPv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!OCTET.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function isLoopbackV4(s: string): boolean {
  const ip = parseIPv4(s);
  return ip !== null && ip[0] === 127;
}

/** Throws unless every target is a plain IPv4 address in 127.0.0.0/8 and the list is non-empty. */
export function assertLoopbackTargets(targets: readonly string[], what: string): void {
  if (targets.length === 0) throw new SafetyError(`${what}: empty target list`);
  for (const t of targets) {
    if (!isLoopbackV4(t))
      throw new SafetyError(`${what}: target ${JSON.stringify(t)} is not inside 127.0.0.0/8`);
  }
}

export const FOREIGN_PORT = 2024;

/**
 * Checks the argument vector of a scanner before it is started. A scanner may run under the lab's loss
 * switch (`bash …/tools/lab/loss.sh run PERCENT CIDRS [--filter-tcp P] -- scanner…`): its ranges must be
 * loopback and the scanner inside is checked the same way.
 */
export function assertSafeCommand(cmd: readonly string[]): void {
  if (cmd[0] === 'bash' && cmd[1]?.endsWith('tools/lab/loss.sh') && cmd[2] === 'run') {
    const sep = cmd.indexOf('--');
    const cidrs = (cmd[4] ?? '').split(',');
    if (sep < 0 || !cidrs.every((c) => isLoopbackV4(c.split('/')[0] ?? '')))
      throw new SafetyError(`loss switch on a range outside 127.0.0.0/8: ${cmd[4]}`);
    return assertSafeCommand(cmd.slice(sep + 1));
  }
  const tool = cmd[0]?.split('/').pop() ?? '';
  if (tool === 'nmap') {
    if (!cmd.includes('-n'))
      throw new SafetyError('nmap without -n (the system resolver is not on loopback)');
    const i = cmd.indexOf('--exclude-ports');
    if (i < 0 || cmd[i + 1] !== String(FOREIGN_PORT)) {
      throw new SafetyError(`nmap without --exclude-ports ${FOREIGN_PORT}`);
    }
  } else if (tool === 'onesixtyone') {
    // UDP 161 only; its target file is checked by the caller
  } else if (cmd.some((a) => a.endsWith('fleetqry.js'))) {
    if (!cmd.includes('-nr')) throw new SafetyError('fleetqry without -nr');
    if (!cmd.includes('--config')) throw new SafetyError('fleetqry without the lab config (--config)');
  } else {
    throw new SafetyError(`unknown scanner ${JSON.stringify(cmd[0])}`);
  }
}

/** Port list for a scanner must never contain 2024. */
export function assertNoForeignPort(ports: readonly number[], what: string): void {
  if (ports.includes(FOREIGN_PORT)) throw new SafetyError(`${what}: port list contains ${FOREIGN_PORT}`);
}
