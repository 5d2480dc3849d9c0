import { setTimeout as sleep } from 'node:timers/promises';

import type { LocalSnapshot } from '@fleetqry/contracts';
import { readLocalSnapshot } from '@fleetqry/local';

import { EXIT } from '../exit-codes.js';
import { VERSION } from '../version.js';
import { buildHostView, interfaceAddresses } from './host-view.js';
import { endpointUrl, pushHostView, PushError, type PushOptions } from './push-client.js';

export interface AgentOptions {
  server: string;
  token: string;
  /** Seconds between pushes. */
  intervalSeconds: number;
  /** Push once and exit (cron). */
  once: boolean;
  /** Overrides `os.hostname()`. */
  hostname?: string;
  /** Added to the interface addresses (e.g. the NAT address scanners see). */
  extraAddresses?: string[];
  procRoot?: string;
  passwdPath?: string;
  /** Stops the loop (SIGINT/SIGTERM in the command). */
  signal?: AbortSignal;
  /** Status lines (stderr in the command). */
  log?: (line: string) => void;
  push?: Partial<Pick<PushOptions, 'retries' | 'backoffMs' | 'maxBackoffMs' | 'timeoutMs' | 'random'>>;
  /** Tests inject snapshots / addresses. */
  snapshot?: () => LocalSnapshot;
  addresses?: () => string[];
}

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/**
 * `fleetqry agent`: reads this host's listener table and pushes it to the controller, once or every interval,
 * until the signal fires. Exit codes: 0 (pushed / stopped cleanly), 70 (refused: bad token or role, invalid
 * view, not a controller; or, with --once, the push failed after its retries), 64 (bad --server).
 */
export async function runAgent(opts: AgentOptions): Promise<number> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`fleetqry agent: ${line}\n`));
  let url: URL;
  try {
    url = endpointUrl(opts.server);
  } catch (e) {
    log((e as Error).message);
    return EXIT.USAGE;
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname))
    log(`warning: ${url.origin} is plain http; the token crosses the network unencrypted (use https)`);

  const push: PushOptions = {
    server: opts.server,
    token: opts.token,
    retries: opts.push?.retries ?? 4,
    backoffMs: opts.push?.backoffMs ?? 1000,
    maxBackoffMs: opts.push?.maxBackoffMs ?? 30_000,
    timeoutMs: opts.push?.timeoutMs ?? 30_000,
    log,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.push?.random ? { random: opts.push.random } : {}),
  };

  for (;;) {
    if (opts.signal?.aborted) return stopped(log);
    const snapshot =
      opts.snapshot?.() ??
      readLocalSnapshot({
        ...(opts.procRoot ? { procRoot: opts.procRoot } : {}),
        ...(opts.passwdPath ? { passwdPath: opts.passwdPath } : {}),
      });
    const addresses = [
      ...new Set([...(opts.addresses?.() ?? interfaceAddresses()), ...(opts.extraAddresses ?? [])]),
    ];
    const body = buildHostView(snapshot, {
      ...(opts.hostname ? { hostname: opts.hostname } : {}),
      addresses,
      agentVersion: VERSION,
    });
    try {
      const answer = await pushHostView(body, push);
      log(
        answer.stored
          ? `pushed ${body.sockets.length} listeners of ${answer.hostname} (view ${answer.id})`
          : `the controller keeps a newer view of ${answer.hostname} (taken ${answer.takenAt}); this one was not stored`,
      );
      for (const p of snapshot.problems) log(`note: ${p}`);
    } catch (e) {
      if (opts.signal?.aborted) return stopped(log);
      if (!(e instanceof PushError)) throw e;
      log(e.message);
      if (e.fatal || opts.once) return EXIT.RUNTIME;
    }
    if (opts.once) return EXIT.OK;
    try {
      await sleep(opts.intervalSeconds * 1000, undefined, opts.signal ? { signal: opts.signal } : undefined);
    } catch {
      return stopped(log);
    }
  }
}

function stopped(log: (line: string) => void): number {
  log('stopped');
  return EXIT.OK;
}
