import net from 'node:net';
import { getSystemErrorMap, getSystemErrorName } from 'node:util';

/** What one TCP connect attempt saw. `self-connect` is Linux's simultaneous open onto our own port. */
type ConnectOutcome = 'open' | 'refused' | 'timeout' | 'unreachable' | 'self-connect' | 'error';

export interface ConnectResult {
  outcome: ConnectOutcome;
  /** Time from connect() to the kernel's answer; undefined on timeout. */
  rttMs?: number;
  /** errno name for `unreachable` / `error` outcomes. */
  code?: string;
}

export interface ConnectRequest {
  address: string;
  family: 4 | 6;
  port: number;
  /**
   * Timeout in ms, read again whenever the deadline sweep looks at the attempt, so a probe started
   * before the round-trip estimator had samples still benefits from what it learned meanwhile.
   * Called as a method of the request.
   */
  timeoutMs: () => number;
  /** Fixed source port (PortQry -sp). */
  sourcePort?: number;
  /**
   * Keep the socket open after a timeout: the callback hears `timeout`, then possibly a late answer,
   * until the caller closes the attempt (a retransmitting caller keeps earlier attempts listening).
   */
  linger?: boolean;
}

/** An attempt in progress; `close` stops it (and, for a lingering attempt, stops listening). */
export interface ConnectAttempt {
  close(): void;
}

/**
 * Gets the attempt's result (the attempt too, for callers with several in flight), or the
 * SourcePortInUseError that stops the whole scan. A lingering attempt may call it twice: `timeout`, then
 * its late answer.
 */
export type ConnectCallback = (
  error: Error | undefined,
  result?: ConnectResult,
  attempt?: ConnectAttempt,
) => void;

/** A fixed source port could not be bound. Thrown (not an outcome): the whole scan cannot proceed. */
export class SourcePortInUseError extends Error {
  constructor(readonly port: number) {
    super(`source port ${port} is already in use`);
    this.name = 'SourcePortInUseError';
  }
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

function classify(code: string): ConnectResult {
  if (code === 'ECONNREFUSED') return { outcome: 'refused' };
  if (UNREACHABLE.has(code)) return { outcome: 'unreachable', code };
  if (code === 'ETIMEDOUT') return { outcome: 'timeout' };
  return { outcome: 'error', code };
}

/** libuv's status for a name (the numbers differ by platform); looked up once, not per probe. */
function uvErrno(name: string): number | undefined {
  for (const [status, [n]] of getSystemErrorMap()) if (n === name) return status;
  return undefined;
}
const UV_ECONNREFUSED = uvErrno('ECONNREFUSED');

const TIMED_OUT: ConnectResult = Object.freeze({ outcome: 'timeout' });

/** Something waiting for an answer until its (re-read) timeout has elapsed. */
abstract class Deadline {
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  readonly startedAt = performance.now();

  constructor(readonly req: ConnectRequest) {}

  abstract expire(): void;
}

/**
 * One timer for all attempts in flight instead of one per attempt: it fires at the earliest deadline,
 * re-reads every pending attempt's timeout and expires those that have truly elapsed. Firing late
 * only ever means waiting longer, never a wrong state. Pending attempts form an intrusive list, so
 * adding and removing one allocates nothing.
 */
class DeadlineSweep {
  private head: Deadline | undefined;
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private firesAt = Infinity;

  add(d: Deadline): void {
    d.next = this.head;
    if (this.head) this.head.prev = d;
    this.head = d;
    this.size++;
    const due = d.startedAt + d.req.timeoutMs();
    // Deadlines shrink as the estimator learns; 5 ms of slack avoids re-arming for every attempt.
    if (!this.timer || due < this.firesAt - 5) this.arm(due);
    else if (this.size === 1) this.timer.ref();
  }

  delete(d: Deadline): void {
    if (d.prev) d.prev.next = d.next;
    else if (this.head === d) this.head = d.next;
    else return; // not pending
    if (d.next) d.next.prev = d.prev;
    d.prev = d.next = undefined;
    // An idle sweep must not keep the process alive (a one-port query exits as soon as it is done).
    if (--this.size === 0) this.timer?.unref();
  }

  private arm(due: number): void {
    clearTimeout(this.timer);
    this.firesAt = due;
    this.timer = setTimeout(this.sweep, Math.max(1, Math.ceil(due - performance.now())));
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    this.firesAt = Infinity;
    // Timers run before sockets are polled: expire only after one poll, so a connection that completed
    // during a stall of this thread (a busy worker) counts as answered, not as a timeout.
    setImmediate(this.expireDue);
  };

  private readonly expireDue = (): void => {
    const now = performance.now();
    let next = Infinity;
    for (let d = this.head; d;) {
      const after = d.next;
      const due = d.startedAt + d.req.timeoutMs();
      if (due <= now) {
        this.delete(d);
        d.expire();
      } else if (due < next) next = due;
      d = after;
    }
    // An expiry may have started a retry, and with it a timer already: keep whichever fires first.
    if (next !== Infinity && (!this.timer || next < this.firesAt - 5)) this.arm(next);
  };
}
const deadlines = new DeadlineSweep();

interface TcpHandle {
  connect(req: unknown, address: string, port: number): number;
  connect6(req: unknown, address: string, port: number): number;
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
  getsockname(out: { port?: number; address?: string }): number;
  close(cb?: () => void): void;
  reset(cb?: () => void): number;
}
interface TcpWrapBinding {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => { oncomplete?: (status: number) => void; address?: string; port?: number };
  constants: { SOCKET: number };
}

/**
 * libuv's TCP handle without net.Socket's stream machinery: about three times the connect rate,
 * which is what a connect scan is bound by. Falls back to net.Socket if the binding is unavailable.
 */
function loadTcpWrap(): TcpWrapBinding | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): unknown }).binding(
      'tcp_wrap',
    ) as TcpWrapBinding;
    return typeof binding?.TCP === 'function' && typeof binding.TCPConnectWrap === 'function'
      ? binding
      : undefined;
  } catch {
    return undefined;
  }
}
const tcpWrap = process.env.FLEETQRY_NET_SOCKET === '1' ? undefined : loadTcpWrap();

type ConnectWrap = InstanceType<TcpWrapBinding['TCPConnectWrap']> & { attempt?: RawAttempt };

/** libuv calls this with the connect request as `this`: one shared function, no closure per attempt. */
function onConnectComplete(this: ConnectWrap, status: number): void {
  this.attempt!.complete(status);
}

const CLOSED_ATTEMPT: ConnectAttempt = Object.freeze({ close: () => undefined });

/** One connect over a raw libuv handle: a single object per attempt on the scan's hot path. */
class RawAttempt extends Deadline implements ConnectAttempt {
  private settled = false;

  constructor(
    private readonly handle: TcpHandle,
    req: ConnectRequest,
    private readonly cb: ConnectCallback,
  ) {
    super(req);
  }

  complete(status: number): void {
    if (this.settled) return;
    const rttMs = performance.now() - this.startedAt;
    if (status !== 0) return this.failed(status, rttMs);
    this.settle();
    const local: { port?: number; address?: string } = {};
    this.handle.getsockname(local);
    const self = local.port === this.req.port && local.address === this.req.address;
    // An accepted connection is closed with RST: no TIME_WAIT left behind, no data sent.
    this.handle.reset();
    this.cb(undefined, { outcome: self ? 'self-connect' : 'open', rttMs }, this);
  }

  failed(status: number, rttMs?: number): void {
    this.settle();
    this.handle.close();
    if (status === UV_ECONNREFUSED) return this.cb(undefined, { outcome: 'refused', rttMs });
    const name = getSystemErrorName(status);
    // With a fixed source port the 4-tuple can collide at connect time rather than at bind time.
    if (name === 'EADDRINUSE' && this.req.sourcePort !== undefined)
      return this.cb(new SourcePortInUseError(this.req.sourcePort), undefined, this);
    const result = classify(name);
    result.rttMs = rttMs;
    this.cb(undefined, result, this);
  }

  expire(): void {
    if (this.settled) return;
    if (!this.req.linger) {
      this.settled = true;
      this.handle.close();
    }
    this.cb(undefined, TIMED_OUT, this);
  }

  close(): void {
    if (this.settled) return;
    this.settle();
    this.handle.close();
  }

  private settle(): void {
    this.settled = true;
    deadlines.delete(this);
  }
}

function connectRaw(binding: TcpWrapBinding, req: ConnectRequest, cb: ConnectCallback): ConnectAttempt {
  const handle = new binding.TCP(binding.constants.SOCKET);
  if (req.sourcePort !== undefined) {
    const bindErr =
      req.family === 6 ? handle.bind6('::', req.sourcePort, 0) : handle.bind('0.0.0.0', req.sourcePort);
    if (bindErr) {
      handle.close();
      const name = getSystemErrorName(bindErr);
      if (name === 'EADDRINUSE' || name === 'EACCES') cb(new SourcePortInUseError(req.sourcePort));
      else cb(new Error(`cannot bind source port ${req.sourcePort}: ${name}`));
      return CLOSED_ATTEMPT;
    }
  }
  const attempt = new RawAttempt(handle, req, cb);
  const wrap: ConnectWrap = new binding.TCPConnectWrap();
  wrap.attempt = attempt;
  wrap.oncomplete = onConnectComplete;
  const err =
    req.family === 6
      ? handle.connect6(wrap, req.address, req.port)
      : handle.connect(wrap, req.address, req.port);
  if (err) attempt.failed(err);
  else deadlines.add(attempt);
  return attempt;
}

/** The same attempt over net.Socket, for Node builds without the tcp_wrap binding. */
class NetAttempt extends Deadline implements ConnectAttempt {
  private settled = false;
  private readonly socket = new net.Socket();

  constructor(
    req: ConnectRequest,
    private readonly cb: ConnectCallback,
  ) {
    super(req);
    this.socket.once('connect', () => {
      const self = this.socket.localPort === req.port && this.socket.localAddress === req.address;
      this.finish({ outcome: self ? 'self-connect' : 'open', rttMs: performance.now() - this.startedAt });
    });
    this.socket.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' && req.sourcePort !== undefined && !this.settled) {
        this.settled = true;
        deadlines.delete(this);
        this.socket.destroy();
        return cb(new SourcePortInUseError(req.sourcePort), undefined, this);
      }
      const result = classify(e.code ?? 'EIO');
      result.rttMs = performance.now() - this.startedAt;
      this.finish(result);
    });
  }

  start(): void {
    const { address, port, family, sourcePort } = this.req;
    deadlines.add(this);
    this.socket.connect({ host: address, port, family, localPort: sourcePort });
  }

  expire(): void {
    if (this.req.linger && !this.settled) this.cb(undefined, TIMED_OUT, this);
    else this.finish(TIMED_OUT);
  }

  close(): void {
    if (this.settled) return;
    this.settled = true;
    deadlines.delete(this);
    this.socket.resetAndDestroy();
  }

  private finish(result: ConnectResult): void {
    if (this.settled) return;
    this.close();
    this.cb(undefined, result, this);
  }
}

function connectNet(req: ConnectRequest, cb: ConnectCallback): ConnectAttempt {
  const attempt = new NetAttempt(req, cb);
  attempt.start();
  return attempt;
}

/**
 * One TCP connect attempt, closed immediately (with RST if it was accepted), reported through a
 * callback: the scan's hot path, free of promise hops. Only -sp reports an error.
 */
export const tcpConnectCallback: (req: ConnectRequest, cb: ConnectCallback) => ConnectAttempt = tcpWrap
  ? (req, cb) => connectRaw(tcpWrap, req, cb)
  : connectNet;

const promised =
  (connect: (req: ConnectRequest, cb: ConnectCallback) => ConnectAttempt) =>
  (req: ConnectRequest): Promise<ConnectResult> =>
    new Promise((resolve, reject) => connect(req, (e, r) => (e ? reject(e) : resolve(r!))));

/** One TCP connect attempt, closed immediately (with RST if it was accepted). Never throws except for -sp. */
export const tcpConnect = promised(tcpConnectCallback);

/** The net.Socket path, exported so tests can prove both paths agree. */
export const tcpConnectViaNet = promised(connectNet);
