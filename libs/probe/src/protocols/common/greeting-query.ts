import { setTimeout as sleep } from 'node:timers/promises';

import type { Observation, ProbeStatus } from '@fleetqry/contracts';

import type { ProtocolContext, ProtocolData, ProtocolResult } from '../plugin.js';
import { frameLines, type Framer, completeLines, MORE, complete } from './framing.js';
import { toPrintable, toPrintableLines } from './printable.js';
import { TcpConversation, type Failure } from './tcp-conversation.js';

/** Suggested `ctx.timeoutMs` for a banner query when the caller has no better number. */
export const DEFAULT_BANNER_TIMEOUT_MS = 5000;
/** How long a polite QUIT/LOGOUT may wait for its reply (never past the query's deadline). */
const QUIT_GRACE_MS = 1000;
/** Cap on printable evidence carried in a result. */
const MAX_EVIDENCE_CHARS = 512;
/** Cap on a printable banner (all its lines). */
const MAX_BANNER_CHARS = 1024;

/**
 * The part of `ctx.timeoutMs` a plugin uses, so it settles before the caller's own abort: the
 * deadline less 10 % (at most 100 ms).
 */
export function queryBudgetMs(timeoutMs: number): number {
  const t = Math.max(0, timeoutMs);
  return t - Math.min(100, Math.floor(t / 10));
}

export type QueryResult = ProtocolResult & { answered: boolean };

/** What a protocol made of a complete greeting. */
export interface Interpretation {
  status: ProbeStatus;
  detail?: string;
  data: ProtocolData;
}

export interface GreetingSpec {
  /** Name used in details, e.g. `SMTP`. */
  label: string;
  framer: Framer;
  interpret(frame: Buffer): Interpretation;
  /**
   * Optional dialog after a greeting (FTP's anonymous logon, a polite QUIT). It may refine the
   * interpretation it is given; it must not throw.
   */
  after?(conv: TcpConversation, greeting: Interpretation, ctx: ProtocolContext): Promise<Interpretation>;
}

/** Printable banner text (line structure kept) from the bytes of a greeting. */
export function bannerText(bytes: Buffer): string {
  return toPrintableLines(frameLines(bytes), MAX_BANNER_CHARS);
}

export function evidenceText(bytes: Buffer): string {
  return toPrintable(bytes, MAX_EVIDENCE_CHARS);
}

/** Opens a conversation for `ctx` with the query budget; TLS when `servername`/`tls` is given. */
function openFor(
  ctx: ProtocolContext,
  tls?: { servername?: string },
): ReturnType<typeof TcpConversation.open> {
  return TcpConversation.open({
    address: ctx.address,
    port: ctx.port,
    timeoutMs: queryBudgetMs(ctx.timeoutMs),
    signal: ctx.signal,
    maxBytes: Math.max(1, ctx.options.maxResponseBytes),
    ...(tls ? { tls } : {}),
    ...(ctx.sourcePort !== undefined ? { localPort: ctx.sourcePort } : {}),
  });
}

/** A result for a connect failure (nothing was read). */
function openFailureResult(label: string, f: Failure): QueryResult {
  return { status: f.status, detail: `${label}: ${f.detail}`, answered: f.answered ?? false };
}

/** A result for a failed read: evidence of what was read; for `truncated`, the partial banner too. */
function readFailureResult(label: string, f: Failure, answered: boolean): QueryResult {
  const result: QueryResult = { status: f.status, detail: `${label}: ${f.detail}`, answered };
  if (f.partial.length > 0) {
    result.evidence = evidenceText(f.partial);
    if (f.status === 'truncated') result.data = { banner: bannerText(f.partial) };
  }
  return result;
}

/**
 * Pause before the one retry of a greeting the server hung up on. Servers shedding load (OpenSSH
 * MaxStartups, dropbear's limits on unauthenticated connections, inetd rate limits) accept and hang up
 * without a word; a second try a moment later tells that from a service that never greets.
 */
const HANG_UP_RETRY_MS = 250;

/**
 * The shared banner query: connect, read the greeting with the byte cap and the deadline, interpret
 * it, run the protocol's follow-up dialog, always close; once more after a pause if the server hung
 * up without a word and the deadline leaves room. Never throws.
 */
export async function runGreetingQuery(ctx: ProtocolContext, spec: GreetingSpec): Promise<QueryResult> {
  const started = performance.now();
  const first = await greetOnce(ctx, spec);
  const left = ctx.timeoutMs - (performance.now() - started) - HANG_UP_RETRY_MS;
  if (!first.hungUp || left < HANG_UP_RETRY_MS || ctx.signal.aborted) return first.result;
  await sleep(HANG_UP_RETRY_MS, undefined, { signal: ctx.signal }).catch(() => undefined);
  if (ctx.signal.aborted) return first.result;
  return (await greetOnce({ ...ctx, timeoutMs: left }, spec)).result;
}

async function greetOnce(
  ctx: ProtocolContext,
  spec: GreetingSpec,
): Promise<{ result: QueryResult; hungUp?: boolean }> {
  const opened = await openFor(ctx);
  if (!opened.ok) return { result: openFailureResult(spec.label, opened) };
  const conv = opened.conversation;
  try {
    const greeting = await conv.read(spec.framer);
    if (!greeting.ok)
      return { result: readFailureResult(spec.label, greeting, conv.answered), hungUp: greeting.hungUp };
    let interp = spec.interpret(greeting.frame);
    if (spec.after) interp = await spec.after(conv, interp, ctx);
    const result: QueryResult = {
      status: interp.status,
      answered: true,
      evidence: evidenceText(greeting.frame),
      data: interp.data,
    };
    if (interp.detail !== undefined) result.detail = `${spec.label}: ${interp.detail}`;
    return { result };
  } catch (err) {
    // Defensive: nothing above should throw, but a plugin must never throw out of a batch.
    return {
      result: {
        status: 'protocol-error',
        detail: `${spec.label}: ${(err as Error).message}`,
        answered: conv.answered,
      },
    };
  } finally {
    conv.close();
  }
}

/** Frames everything up to and including the first line that starts with `prefix`. */
export function untilLineStartingWith(prefix: string): Framer {
  const p = Buffer.from(prefix, 'latin1');
  return (buf) => {
    for (const line of completeLines(buf)) {
      if (line.text.subarray(0, p.length).equals(p)) return complete(line.end);
    }
    return MORE;
  };
}

/**
 * Sends `command` and waits (at most QUIT_GRACE_MS, never past the deadline) for `framer` to see the
 * reply. The outcome is ignored: this is courtesy, so the server logs a clean close.
 */
export async function politeQuit(conv: TcpConversation, command: string, framer: Framer): Promise<void> {
  const wait = Math.min(QUIT_GRACE_MS, conv.remainingMs());
  if (wait <= 0 || conv.isClosed) return;
  conv.write(command);
  await conv.read(framer, { timeoutMs: wait });
}

/** PortQry-like lines for a banner protocol: the data the server returned, then any query problem. */
export function describeBanner(obs: Observation, label: string): string[] {
  const lines: string[] = [];
  if (obs.banner) lines.push('Data returned from port:', ...obs.banner.split('\n'));
  if (obs.protocol && obs.protocol.status !== 'success') {
    const text = obs.protocol.detail?.startsWith(`${label}: `)
      ? obs.protocol.detail.slice(label.length + 2)
      : obs.protocol.detail;
    const detail = text ? ` (${text})` : '';
    lines.push(`${label} query: ${obs.protocol.status}${detail}`);
  }
  return lines;
}
