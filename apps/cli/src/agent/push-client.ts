import { setTimeout as sleep } from 'node:timers/promises';

import {
  HostViewPushResultSchema,
  type HostViewPushInput,
  type HostViewPushResult,
} from '@fleetqry/contracts';

/**
 * Why a push failed. `fatal`: retrying cannot help (the token is refused, the body is invalid, the server is
 * not a fleetqry controller); the agent stops. Otherwise the push is retried, then the next interval tries again.
 */
export class PushError extends Error {
  constructor(
    message: string,
    readonly fatal: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PushError';
  }
}

export interface PushOptions {
  /** Controller base URL, e.g. https://fleetqry.example:8443 */
  server: string;
  token: string;
  /** Retries after the first attempt (network errors, 408/429/5xx). */
  retries: number;
  /** First backoff; doubled per retry (full jitter), capped at `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Per attempt. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Retry notices. */
  log?: (line: string) => void;
  random?: () => number;
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/** The delay before retry `n` (0-based): full jitter over min(cap, base·2ⁿ), or the server's Retry-After. */
export function backoffDelay(
  n: number,
  opts: Pick<PushOptions, 'backoffMs' | 'maxBackoffMs'>,
  random = Math.random,
  retryAfter?: string | null,
): number {
  const ceiling = Math.min(opts.maxBackoffMs, opts.backoffMs * 2 ** n);
  const seconds = retryAfter && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : undefined;
  if (seconds !== undefined) return Math.min(opts.maxBackoffMs, seconds);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `POST /host-views` URL from the server URL; refuses URLs that would carry credentials elsewhere. */
export function endpointUrl(server: string): URL {
  let base: URL;
  try {
    base = new URL(server);
  } catch {
    throw new PushError(`--server: "${server}" is not a URL (e.g. https://controller:8443)`, true);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new PushError(`--server: use an http:// or https:// URL, not ${base.protocol}`, true);
  if (base.username || base.password)
    throw new PushError('--server: the URL must not carry credentials; the token goes in --token', true);
  if (base.search || base.hash)
    throw new PushError('--server: the URL must not carry a query or fragment', true);
  return new URL(`${base.pathname.replace(/\/+$/, '')}/host-views`, base);
}

function serverMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof m === 'string') return m;
  } catch {
    /* not JSON */
  }
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

/**
 * One push with bounded retries. The token travels only in the Authorization header of requests to the
 * given server: redirects are not followed (fetch would otherwise re-send the request elsewhere).
 */
export async function pushHostView(body: HostViewPushInput, opts: PushOptions): Promise<HostViewPushResult> {
  const url = endpointUrl(opts.server);
  const payload = JSON.stringify(body);
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted();
    let failure: PushError;
    let retryAfter: string | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
        body: payload,
        redirect: 'manual',
        signal: opts.signal
          ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)])
          : AbortSignal.timeout(opts.timeoutMs),
      });
      const text = await res.text();
      if (res.status === 201 || res.status === 200) return validateAnswer(text, body);
      const message = serverMessage(text);
      if (res.status === 401)
        throw new PushError(`the controller refused the token (401 ${message}); check --token`, true, 401);
      if (res.status === 403)
        throw new PushError(
          `the token may not push host views (403 ${message}); it needs the operator role`,
          true,
          403,
        );
      if (res.status >= 300 && res.status < 400)
        throw new PushError(
          `the controller answered ${res.status} (redirect to ${res.headers.get('location') ?? '?'}); give that URL as --server (redirects are not followed, so the token is sent nowhere else)`,
          true,
          res.status,
        );
      if (!RETRYABLE.has(res.status))
        throw new PushError(`the controller rejected the view: ${res.status} ${message}`, true, res.status);
      retryAfter = res.headers.get('retry-after');
      failure = new PushError(`${res.status} ${message}`, false, res.status);
    } catch (e) {
      if (e instanceof PushError) throw e;
      if (opts.signal?.aborted) throw opts.signal.reason ?? e;
      const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
      const why =
        (e as Error).name === 'TimeoutError'
          ? `no answer within ${opts.timeoutMs} ms`
          : (cause?.code ?? cause?.message ?? (e as Error).message);
      failure = new PushError(`cannot reach ${url.origin}: ${why}`, false);
    }
    if (attempt >= opts.retries)
      throw new PushError(
        `${failure.message} (gave up after ${attempt + 1} attempts)`,
        false,
        failure.status,
      );
    const delay = backoffDelay(attempt, opts, opts.random, retryAfter);
    opts.log?.(`push failed: ${failure.message}; retry ${attempt + 1}/${opts.retries} in ${delay} ms`);
    await sleep(delay, undefined, opts.signal ? { signal: opts.signal } : undefined);
  }
}

/** The answer must be a stored-view summary of this host; anything else means a wrong or broken server. */
function validateAnswer(text: string, sent: HostViewPushInput): HostViewPushResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PushError(`the server's answer is not JSON (is --server a fleetqry controller?)`, true);
  }
  const parsed = HostViewPushResultSchema.safeParse(json);
  if (!parsed.success)
    throw new PushError(
      `the server's answer is not a host view (${parsed.error.issues[0]?.path.join('.') || '(body)'}: ${parsed.error.issues[0]?.message}); is --server a fleetqry controller?`,
      true,
    );
  const answer = parsed.data;
  if (answer.hostname.toLowerCase() !== sent.hostname.toLowerCase())
    throw new PushError(`the server stored host "${answer.hostname}", not "${sent.hostname}"`, true);
  if (answer.stored && answer.listeners !== sent.sockets.length)
    throw new PushError(
      `the server stored ${answer.listeners} listeners of the ${sent.sockets.length} sent`,
      true,
    );
  return answer;
}
