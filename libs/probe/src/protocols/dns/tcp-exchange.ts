/**
 * DNS over TCP: connect, send the framed query, read exactly the announced length (capped). Never
 * resolves names: the address is an IP literal checked by the caller. (DNS over UDP is the shared
 * exchange, common/udp-exchange.ts.)
 */
import net from 'node:net';

export type TcpExchange =
  | { kind: 'reply'; bytes: Buffer }
  | { kind: 'refused' }
  | { kind: 'connect-timeout' }
  | { kind: 'closed'; received: number }
  | { kind: 'too-large'; announced: number }
  | { kind: 'aborted' }
  | { kind: 'error'; code: string };

interface Common {
  address: string;
  port: number;
  windowMs: number;
  signal?: AbortSignal;
  /** PortQry -sp: the local port of the connection (closed with RST: no TIME_WAIT left on it). */
  localPort?: number;
}

/** Runs `body` with one settle function, a deadline and abort wiring; cleanup runs exactly once. */
function settleOnce(
  c: Common,
  onDeadline: () => TcpExchange,
  body: (settle: (e: TcpExchange) => void, addCleanup: (f: () => void) => void) => void,
): Promise<TcpExchange> {
  return new Promise((resolve) => {
    const cleanups: Array<() => void> = [];
    let done = false;
    const settle = (e: TcpExchange): void => {
      if (done) return;
      done = true;
      for (const f of cleanups) {
        try {
          f();
        } catch {
          // closing an already-closed socket
        }
      }
      resolve(e);
    };
    if (c.signal?.aborted) return settle({ kind: 'aborted' });
    const onAbort = (): void => settle({ kind: 'aborted' });
    c.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => settle(onDeadline()), Math.max(0, c.windowMs));
    cleanups.push(
      () => clearTimeout(timer),
      () => c.signal?.removeEventListener('abort', onAbort),
    );
    body(settle, (f) => cleanups.push(f));
  });
}

export function tcpExchange(c: Common & { packet: Buffer; maxBytes: number }): Promise<TcpExchange> {
  let connected = false;
  let received = 0;
  return settleOnce(
    c,
    () => (connected ? { kind: 'closed', received } : { kind: 'connect-timeout' }),
    (settle, addCleanup) => {
      if (net.isIP(c.address) === 0) return settle({ kind: 'error', code: 'EINVAL' });
      const sock = net.connect({
        host: c.address,
        port: c.port,
        ...(c.localPort !== undefined ? { localPort: c.localPort } : {}),
      });
      // with -sp, RST: no TIME_WAIT left on the fixed source port
      addCleanup(() =>
        c.localPort !== undefined && !sock.destroyed && !sock.connecting
          ? sock.resetAndDestroy()
          : sock.destroy(),
      );
      const chunks: Buffer[] = [];
      sock.on('error', (err: NodeJS.ErrnoException) =>
        settle(
          err.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'error', code: err.code ?? 'EUNKNOWN' },
        ),
      );
      sock.on('connect', () => {
        connected = true;
        sock.write(c.packet);
      });
      sock.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received < 2) return;
        const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const announced = head.readUInt16BE(0);
        if (announced > c.maxBytes) return settle({ kind: 'too-large', announced });
        if (received >= announced + 2)
          settle({ kind: 'reply', bytes: Buffer.concat(chunks).subarray(2, announced + 2) });
      });
      sock.on('close', () => settle(connected ? { kind: 'closed', received } : { kind: 'refused' }));
    },
  );
}
