/**
 * The two DNS exchanges. UDP: connected socket (so ICMP port unreachable → ECONNREFUSED), one resend
 * on silence, first reply carrying our id wins; replies with another id are counted, not trusted.
 * TCP: connect, send the framed query, read exactly the announced length (capped). Neither resolves
 * names: the address is an IP literal checked by the caller.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export type Exchange =
  | { kind: 'reply'; bytes: Buffer }
  | { kind: 'refused' }
  | { kind: 'connect-timeout' }
  | { kind: 'silence'; /** datagrams that did not carry our id */ strays: number }
  | { kind: 'closed'; received: number }
  | { kind: 'too-large'; announced: number }
  | { kind: 'aborted' }
  | { kind: 'error'; code: string };

interface Common {
  address: string;
  port: number;
  windowMs: number;
  signal?: AbortSignal;
}

/** Runs `body` with one settle function, a deadline and abort wiring; cleanup runs exactly once. */
function settleOnce(
  c: Common,
  onDeadline: () => Exchange,
  body: (settle: (e: Exchange) => void, addCleanup: (f: () => void) => void) => void,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const cleanups: Array<() => void> = [];
    let done = false;
    const settle = (e: Exchange): void => {
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

export function udpExchange(
  c: Common & { packet: Buffer; id: number; resendAtMs?: number },
): Promise<Exchange> {
  let strays = 0;
  return settleOnce(
    c,
    () => ({ kind: 'silence', strays }),
    (settle, addCleanup) => {
      const family = net.isIP(c.address);
      if (family === 0) return settle({ kind: 'error', code: 'EINVAL' });
      const sock = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
      addCleanup(() => sock.close());
      const onError = (err: NodeJS.ErrnoException): void =>
        settle(
          err.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'error', code: err.code ?? 'EUNKNOWN' },
        );
      sock.on('error', onError);
      sock.on('message', (msg: Buffer) => {
        // Too short to carry an id, or carrying ours: this is the answer (valid or not, the caller parses).
        if (msg.length < 2 || msg.readUInt16BE(0) === c.id) settle({ kind: 'reply', bytes: msg });
        else strays++;
      });
      const send = (): void => sock.send(c.packet, (err) => err && onError(err as NodeJS.ErrnoException));
      sock.connect(c.port, c.address, () => {
        send();
        if (c.resendAtMs !== undefined && c.resendAtMs < c.windowMs) {
          const t = setTimeout(send, c.resendAtMs);
          addCleanup(() => clearTimeout(t));
        }
      });
    },
  );
}

export function tcpExchange(c: Common & { packet: Buffer; maxBytes: number }): Promise<Exchange> {
  let connected = false;
  let received = 0;
  return settleOnce(
    c,
    () => (connected ? { kind: 'closed', received } : { kind: 'connect-timeout' }),
    (settle, addCleanup) => {
      if (net.isIP(c.address) === 0) return settle({ kind: 'error', code: 'EINVAL' });
      const sock = net.connect({ host: c.address, port: c.port });
      addCleanup(() => sock.destroy());
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
