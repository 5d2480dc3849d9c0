import net from 'node:net';
import tls from 'node:tls';

import type { ProbeStatus } from '@fleetqry/contracts';

import type { Framer } from './framing.js';

/** Where to connect and within what limits. `address` must be an IP literal: names are never resolved. */
export interface ConversationOptions {
  address: string;
  port: number;
  /** Budget for the whole conversation (connect, TLS, every read and write), in ms. */
  timeoutMs: number;
  /** Aborting it ends the conversation like the deadline does. */
  signal?: AbortSignal;
  /** Cap on the bytes one read may buffer before it gives up as `truncated`. */
  maxBytes: number;
  /** Wrap the connection in TLS (certificates are not verified: this is a probe, not a client). */
  tls?: { servername?: string };
  /**
   * PortQry -sp: connect from this local port. The conversation then ends with RST, so no TIME_WAIT
   * blocks the next connection from the same port to the same peer.
   */
  localPort?: number;
}

export interface Failure {
  readonly ok: false;
  readonly status: ProbeStatus;
  readonly detail: string;
  /** What had been read towards the failed message (at most the byte cap). */
  readonly partial: Buffer;
  /** Set when opening failed after the peer had sent bytes (e.g. a non-TLS reply to a ClientHello). */
  readonly answered?: boolean;
  /** The peer hung up (FIN or RST) before sending a single byte. */
  readonly hungUp?: boolean;
}

export type OpenOutcome = { readonly ok: true; readonly conversation: TcpConversation } | Failure;
export type ReadOutcome = { readonly ok: true; readonly frame: Buffer } | Failure;

export interface ReadOptions {
  /** Cap for this read (default: the conversation's `maxBytes`). */
  maxBytes?: number;
  /** Give up on this read sooner than the conversation's deadline (it still ends at the deadline). */
  timeoutMs?: number;
}

const EMPTY = Buffer.alloc(0);

/** Never called for IP literals; it exists so that a name can never reach the system resolver. */
const noLookup: net.LookupFunction = (hostname, _options, callback) => {
  const err = Object.assign(new Error(`refusing to resolve ${JSON.stringify(hostname)}`), {
    code: 'ENOTFOUND',
  });
  (callback as (e: NodeJS.ErrnoException) => void)(err);
};

function failure(status: ProbeStatus, detail: string, partial: Buffer = EMPTY): Failure {
  return { ok: false, status, detail, partial };
}

const CONNECT_TIMEOUT_CODES = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);

/**
 * Connect errors meaning the handshake completed and the peer then hung up (a RST to the SYN is
 * ECONNREFUSED; ECONNRESET/EPIPE only happen on an established connection).
 */
const CONNECTED_THEN_GONE_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** Maps a connect error to the status vocabulary. */
function connectErrorStatus(err: NodeJS.ErrnoException): ProbeStatus {
  if (err.code && CONNECT_TIMEOUT_CODES.has(err.code)) return 'connection-timeout';
  if (err.code && CONNECTED_THEN_GONE_CODES.has(err.code)) return 'io-timeout';
  return 'connection-refused';
}

function errText(err: NodeJS.ErrnoException): string {
  return err.code ?? err.message;
}

/**
 * One TCP (optionally TLS) conversation with a peer, for line protocols: read a framed message with a
 * byte cap, write a command, repeat. A single deadline (and the caller's AbortSignal) bounds the whole
 * conversation; `close()` always destroys the socket. Nothing here throws: every outcome is an
 * `ok: true` value or a `Failure` whose status comes from the ProbeStatus vocabulary:
 *
 * - refused (RST) → `connection-refused`; no connect before the deadline → `connection-timeout`
 * - connected, nothing (complete) before the deadline → `io-timeout`; closed with nothing sent → `io-timeout`
 * - byte cap hit before the framer saw the end → `truncated` (with the bytes read)
 * - framer says the bytes are not this protocol, or the peer closed mid-message → `protocol-error`
 */
export class TcpConversation {
  private buffer: Buffer = EMPTY;
  private ended = false;
  private error: NodeJS.ErrnoException | undefined;
  private expired: 'deadline' | 'aborted' | undefined;
  private wake: (() => void) | undefined;
  private paused = false;
  private closed = false;
  private readonly deadlineAt: number;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = (): void => this.expire('aborted');

  private constructor(
    private readonly raw: net.Socket,
    private stream: net.Socket,
    private readonly opts: ConversationOptions,
  ) {
    this.deadlineAt = Date.now() + Math.max(0, opts.timeoutMs);
    this.timer = setTimeout(() => this.expire('deadline'), Math.max(0, opts.timeoutMs));
    this.timer.unref?.();
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    raw.on('error', (err: NodeJS.ErrnoException) => this.fail(err));
    raw.on('close', () => this.notify());
  }

  /**
   * Connects (and, if asked, completes the TLS handshake) within the deadline. On failure the socket is
   * already destroyed; on success the caller owns the conversation and must `close()` it.
   */
  static async open(opts: ConversationOptions): Promise<OpenOutcome> {
    if (net.isIP(opts.address) === 0) {
      return failure('application-error', 'address is not an IP literal (plugins never resolve names)');
    }
    if (opts.signal?.aborted) return failure('connection-timeout', 'aborted before connecting');
    const raw = net.connect({
      host: opts.address,
      port: opts.port,
      lookup: noLookup,
      noDelay: true,
      ...(opts.localPort !== undefined ? { localPort: opts.localPort } : {}),
    });
    const conv = new TcpConversation(raw, raw, opts);
    const connected = await conv.waitFor(raw, 'connect');
    if (connected !== true) {
      conv.close();
      if (connected === 'expired') {
        return failure('connection-timeout', `no connection within the deadline (${conv.expiredWhy()})`);
      }
      const status = connectErrorStatus(connected);
      return failure(
        status,
        status === 'io-timeout'
          ? `peer closed the connection right after accepting it (${errText(connected)})`
          : `connect failed: ${errText(connected)}`,
      );
    }
    if (opts.tls) {
      const secure = tls.connect({
        socket: raw,
        // An IP literal as `host` keeps Node from inventing an SNI name (it would send `localhost`).
        host: opts.address,
        servername: opts.tls.servername,
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
      });
      conv.stream = secure;
      secure.on('error', (err: NodeJS.ErrnoException) => conv.fail(err));
      const handshake = await conv.waitFor(secure, 'secureConnect');
      if (handshake !== true) {
        const answered = raw.bytesRead > 0;
        conv.close();
        if (answered) {
          return handshake === 'expired'
            ? { ...failure('io-timeout', `TLS handshake not finished (${conv.expiredWhy()})`), answered }
            : { ...failure('protocol-error', `TLS handshake failed: ${errText(handshake)}`), answered };
        }
        return handshake === 'expired'
          ? failure('io-timeout', `connected, but no TLS handshake reply (${conv.expiredWhy()})`)
          : failure('io-timeout', 'peer closed during the TLS handshake without sending anything');
      }
    }
    conv.stream.on('data', (chunk: Buffer) => conv.onData(chunk));
    conv.stream.on('end', () => {
      conv.ended = true;
      conv.notify();
    });
    conv.stream.on('close', () => {
      conv.ended = true;
      conv.notify();
    });
    return { ok: true, conversation: conv };
  }

  /** Whether the peer has sent any byte (on the wire, before TLS), i.e. it answered. */
  get answered(): boolean {
    return this.raw.bytesRead > 0;
  }

  /** Milliseconds left before the deadline (0 once passed). */
  remainingMs(): number {
    return this.expired ? 0 : Math.max(0, this.deadlineAt - Date.now());
  }

  /** Bytes received but not consumed by a read (at most the cap plus one chunk). */
  get pending(): Buffer {
    return this.buffer;
  }

  /** Reads until `framer` sees a complete message, the cap, the deadline, the peer's close or an error. */
  async read(framer: Framer, options: ReadOptions = {}): Promise<ReadOutcome> {
    const cap = Math.max(1, options.maxBytes ?? this.opts.maxBytes);
    let readTimedOut = false;
    let readTimer: NodeJS.Timeout | undefined;
    if (options.timeoutMs !== undefined) {
      readTimer = setTimeout(
        () => {
          readTimedOut = true;
          this.notify();
        },
        Math.max(0, options.timeoutMs),
      );
    }
    try {
      for (;;) {
        const view = this.buffer.length > cap ? this.buffer.subarray(0, cap) : this.buffer;
        const result = view.length > 0 ? framer(view) : { kind: 'more' as const };
        if (result.kind === 'complete') {
          const frame = Buffer.from(this.buffer.subarray(0, result.length));
          this.buffer = this.buffer.subarray(result.length);
          this.maybeResume(cap);
          return { ok: true, frame };
        }
        if (result.kind === 'invalid') return failure('protocol-error', result.reason, view);
        if (view.length >= cap) {
          return failure('truncated', `byte cap of ${cap} reached before the end of the message`, view);
        }
        if (this.expired) {
          return failure(
            'io-timeout',
            view.length > 0
              ? `incomplete message at the deadline (${this.expiredWhy()})`
              : `connected, but nothing received before the deadline (${this.expiredWhy()})`,
            view,
          );
        }
        if (readTimedOut) {
          return failure('io-timeout', `no complete reply within ${options.timeoutMs} ms`, view);
        }
        if (this.error && !this.ended) {
          return view.length > 0
            ? failure('protocol-error', `connection error mid-message: ${errText(this.error)}`, view)
            : {
                ...failure('io-timeout', `connection error before any reply: ${errText(this.error)}`),
                hungUp: true,
              };
        }
        if (this.ended || this.error || this.closed) {
          return view.length > 0
            ? failure('protocol-error', 'peer closed the connection mid-message', view)
            : {
                ...failure('io-timeout', 'peer closed the connection without sending a reply'),
                hungUp: true,
              };
        }
        this.maybeResume(cap);
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      if (readTimer) clearTimeout(readTimer);
    }
  }

  /** Sends bytes; errors surface on the next read. Ignored once the conversation is over. */
  write(data: string | Buffer): void {
    if (this.closed || this.expired || this.stream.destroyed || !this.stream.writable) return;
    this.stream.write(data);
  }

  /** Destroys the socket(s) and releases the timer and the abort listener. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.stream.destroy();
    if (this.opts.localPort !== undefined && !this.raw.destroyed && !this.raw.connecting)
      this.raw.resetAndDestroy();
    else this.raw.destroy();
    this.notify();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private expiredWhy(): string {
    return this.expired === 'aborted' ? 'aborted' : `${this.opts.timeoutMs} ms`;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    // Back-pressure: never buffer (much) more than the cap, whatever the peer writes.
    if (this.buffer.length >= this.opts.maxBytes && !this.paused) {
      this.paused = true;
      this.stream.pause();
    }
    this.notify();
  }

  private maybeResume(cap: number): void {
    if (this.paused && this.buffer.length < Math.max(cap, this.opts.maxBytes) && !this.closed) {
      this.paused = false;
      this.stream.resume();
    }
  }

  private fail(err: NodeJS.ErrnoException): void {
    this.error ??= err;
    this.notify();
  }

  private expire(why: 'deadline' | 'aborted'): void {
    if (this.expired || this.closed) return;
    this.expired = why;
    // The socket goes at once: a hostile peer gets nothing more from us after the deadline.
    this.stream.destroy();
    this.raw.destroy();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits for `event` on `emitter`, an error, a close, or the deadline. */
  private waitFor(
    emitter: net.Socket,
    event: 'connect' | 'secureConnect',
  ): Promise<true | 'expired' | NodeJS.ErrnoException> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (this.expired) {
          resolve('expired');
          return true;
        }
        if (this.error) {
          resolve(this.error);
          return true;
        }
        return false;
      };
      if (check()) return;
      const onEvent = (): void => {
        cleanup();
        resolve(true);
      };
      const onClose = (): void => {
        cleanup();
        if (!check()) resolve(Object.assign(new Error('socket closed'), { code: 'ECONNRESET' }));
      };
      const poll = (): void => {
        if (check()) cleanup();
        else this.wake = poll;
      };
      const cleanup = (): void => {
        emitter.off(event, onEvent);
        emitter.off('close', onClose);
        if (this.wake === poll) this.wake = undefined;
      };
      emitter.once(event, onEvent);
      emitter.once('close', onClose);
      this.wake = poll;
    });
  }
}
