import net from 'node:net';
import { getSystemErrorName } from 'node:util';

/** What one TCP connect attempt saw. `self-connect` is Linux's simultaneous open onto our own port. */
export type ConnectOutcome = 'open' | 'refused' | 'timeout' | 'unreachable' | 'self-connect' | 'error';

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
   * Timeout in ms, read again whenever the timer fires, so a probe started before the round-trip
   * estimator had samples still benefits from what it learned meanwhile.
   */
  timeoutMs: () => number;
  /** Fixed source port (PortQry -sp). */
  sourcePort?: number;
}

/** A fixed source port could not be bound. Thrown (not an outcome): the whole scan cannot proceed. */
export class SourcePortInUseError extends Error {
  constructor(readonly port: number) {
    super(`source port ${port} is already in use`);
    this.name = 'SourcePortInUseError';
  }
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

function classify(code: string): Pick<ConnectResult, 'outcome' | 'code'> {
  if (code === 'ECONNREFUSED') return { outcome: 'refused' };
  if (UNREACHABLE.has(code)) return { outcome: 'unreachable', code };
  if (code === 'ETIMEDOUT') return { outcome: 'timeout' };
  return { outcome: 'error', code };
}

/** Arms a timer that re-reads the timeout each time it fires, until it has truly elapsed. */
function armTimeout(start: number, timeoutMs: () => number, onTimeout: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const remaining = timeoutMs() - (performance.now() - start);
    if (remaining <= 0) onTimeout();
    else timer = setTimeout(arm, Math.ceil(remaining));
  };
  timer = setTimeout(arm, Math.max(1, Math.ceil(timeoutMs())));
  return () => clearTimeout(timer);
}

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

export const connectImplementation: 'tcp_wrap' | 'net' = tcpWrap ? 'tcp_wrap' : 'net';

function connectRaw(binding: TcpWrapBinding, req: ConnectRequest): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const handle = new binding.TCP(binding.constants.SOCKET);
    const wrap = new binding.TCPConnectWrap();
    const start = performance.now();
    let settled = false;
    const finish = (result: ConnectResult, closeWithReset = false) => {
      if (settled) return;
      settled = true;
      disarm();
      // An accepted connection is closed with RST: no TIME_WAIT left behind, no data sent.
      if (closeWithReset) handle.reset();
      else handle.close();
      resolve(result);
    };
    let disarm = () => {};
    if (req.sourcePort !== undefined) {
      const bindErr =
        req.family === 6 ? handle.bind6('::', req.sourcePort, 0) : handle.bind('0.0.0.0', req.sourcePort);
      if (bindErr) {
        handle.close();
        const name = getSystemErrorName(bindErr);
        if (name === 'EADDRINUSE' || name === 'EACCES') reject(new SourcePortInUseError(req.sourcePort));
        else reject(new Error(`cannot bind source port ${req.sourcePort}: ${name}`));
        return;
      }
    }
    const failed = (status: number, rttMs?: number) => {
      const name = getSystemErrorName(status);
      // With a fixed source port the 4-tuple can collide at connect time rather than at bind time.
      if (name === 'EADDRINUSE' && req.sourcePort !== undefined) {
        settled = true;
        disarm();
        handle.close();
        return reject(new SourcePortInUseError(req.sourcePort));
      }
      finish({ ...classify(name), rttMs });
    };
    wrap.oncomplete = (status: number) => {
      const rttMs = performance.now() - start;
      if (status !== 0) return failed(status, rttMs);
      const local: { port?: number; address?: string } = {};
      handle.getsockname(local);
      const self = local.port === req.port && local.address === req.address;
      finish({ outcome: self ? 'self-connect' : 'open', rttMs }, true);
    };
    const err =
      req.family === 6
        ? handle.connect6(wrap, req.address, req.port)
        : handle.connect(wrap, req.address, req.port);
    if (err) return failed(err);
    disarm = armTimeout(start, req.timeoutMs, () => finish({ outcome: 'timeout' }));
  });
}

function connectNet(req: ConnectRequest): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const socket = new net.Socket();
    let settled = false;
    const finish = (result: ConnectResult) => {
      if (settled) return;
      settled = true;
      disarm();
      socket.resetAndDestroy();
      resolve(result);
    };
    socket.once('connect', () => {
      const self = socket.localPort === req.port && socket.localAddress === req.address;
      finish({ outcome: self ? 'self-connect' : 'open', rttMs: performance.now() - start });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' && req.sourcePort !== undefined && !settled) {
        settled = true;
        disarm();
        socket.destroy();
        return reject(new SourcePortInUseError(req.sourcePort));
      }
      finish({ ...classify(e.code ?? 'EIO'), rttMs: performance.now() - start });
    });
    const disarm = armTimeout(start, req.timeoutMs, () => finish({ outcome: 'timeout' }));
    socket.connect({ host: req.address, port: req.port, family: req.family, localPort: req.sourcePort });
  });
}

/** One TCP connect attempt, closed immediately (with RST if it was accepted). Never throws except for -sp. */
export function tcpConnect(req: ConnectRequest): Promise<ConnectResult> {
  return tcpWrap ? connectRaw(tcpWrap, req) : connectNet(req);
}

/** The net.Socket path, exported so tests can prove both paths agree. */
export const tcpConnectViaNet = connectNet;
