/**
 * In-process hostile TCP servers for tests of protocol plugins: peers that never end a banner, never
 * speak, drip bytes, send binary garbage or hang up at once. Every server listens on a loopback
 * address (127.42.0.1 by default) on a random port, is bounded in what it writes and how long it keeps
 * a connection, and records each connection so a test can assert the client destroyed its socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export type HostileKind =
  | 'endless-banner' // `prefix`, then `fill` forever (1 KiB chunks), never a newline
  | 'endless-lines' // `prefix`, then `line` forever
  | 'tarpit' // accepts and never speaks
  | 'slowloris' // drips `prefix` + `fill` one byte every `dripMs`
  | 'garbage' // sends binary bytes (NUL, 0xff, CR LF …) once, then stays silent
  | 'close-immediately' // closes (FIN) as soon as it accepts; `reset: true` sends RST instead
  | 'script'; // answers with `script(socket)`, for protocol fakes

export interface HostileOptions {
  /** Loopback address to listen on (default 127.42.0.1). */
  address?: string;
  /** Bytes sent first (endless-banner, endless-lines, slowloris). */
  prefix?: string | Buffer;
  /** Filler repeated by endless-banner and slowloris (default `A`). */
  fill?: string;
  /** Line repeated by endless-lines (default `250-fleetqry endless line\r\n`). */
  line?: string;
  /** Slowloris interval (default 500 ms). */
  dripMs?: number;
  /** close-immediately: reset instead of a clean close. */
  reset?: boolean;
  /** Bound on bytes written per connection (default 64 MiB). */
  maxBytesPerConnection?: number;
  /** Bound on a connection's life: the server closes it after this (default 30 s). */
  maxLifetimeMs?: number;
  /** For `script`: what to do with each accepted socket. */
  script?: (socket: net.Socket) => void;
}

interface HostileConnection {
  /** Bytes the server wrote to this connection. */
  bytesWritten: number;
  /** Bytes the client sent (e.g. a request, QUIT). */
  received: Buffer[];
  /** True once the socket closed. */
  closed: boolean;
  /** Settles when the socket closes. */
  done: Promise<void>;
}

export interface HostileServer {
  readonly kind: HostileKind;
  readonly address: string;
  readonly port: number;
  readonly connections: readonly HostileConnection[];
  /** Waits (at most `timeoutMs`) until every accepted connection has closed; true if they all did. */
  allClosed(timeoutMs: number): Promise<boolean>;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

const GARBAGE = Buffer.from([
  0x00, 0xff, 0xfe, 0x13, 0x37, 0x0d, 0x0a, 0x1b, 0x5b, 0x32, 0x4a, 0x00, 0x80, 0x81, 0x0d, 0x0a, 0xde, 0xad,
  0xbe, 0xef, 0x07, 0x08, 0x7f, 0x0a,
]);

const CHUNK = 1024;

function startWriting(
  socket: net.Socket,
  conn: HostileConnection,
  next: () => Buffer,
  maxBytes: number,
): void {
  const pump = (): void => {
    // Bounded: at most maxBytes in total; yields to the event loop on back-pressure.
    while (!socket.destroyed && conn.bytesWritten < maxBytes) {
      const chunk = next();
      conn.bytesWritten += chunk.length;
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

function repeatTo(text: string, size: number): Buffer {
  const unit = Buffer.from(text, 'latin1');
  const out = Buffer.alloc(Math.max(size, unit.length));
  for (let i = 0; i < out.length; i += unit.length) unit.copy(out, i);
  return out.subarray(0, Math.floor(out.length / unit.length) * unit.length || unit.length);
}

export async function startHostileServer(
  kind: HostileKind,
  opts: HostileOptions = {},
): Promise<HostileServer> {
  const address = opts.address ?? '127.42.0.1';
  const maxBytes = opts.maxBytesPerConnection ?? 64 * 1024 * 1024;
  const maxLifetimeMs = opts.maxLifetimeMs ?? 30_000;
  const prefix =
    typeof opts.prefix === 'string' ? Buffer.from(opts.prefix, 'latin1') : (opts.prefix ?? Buffer.alloc(0));
  const connections: HostileConnection[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    let markClosed!: () => void;
    const conn: HostileConnection = {
      bytesWritten: 0,
      received: [],
      closed: false,
      done: new Promise<void>((resolve) => (markClosed = resolve)),
    };
    connections.push(conn);
    sockets.add(socket);
    const lifetime = setTimeout(() => socket.destroy(), maxLifetimeMs);
    let drip: NodeJS.Timeout | undefined;
    socket.on('data', (d: Buffer) => conn.received.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      conn.closed = true;
      clearTimeout(lifetime);
      if (drip) clearInterval(drip);
      sockets.delete(socket);
      markClosed();
    });

    switch (kind) {
      case 'endless-banner': {
        const filler = repeatTo(opts.fill ?? 'A', CHUNK);
        let first = true;
        startWriting(
          socket,
          conn,
          () => {
            if (!first) return filler;
            first = false;
            return Buffer.concat([prefix, filler]);
          },
          maxBytes,
        );
        break;
      }
      case 'endless-lines': {
        const lines = repeatTo(opts.line ?? '250-fleetqry endless line\r\n', CHUNK);
        let first = true;
        startWriting(
          socket,
          conn,
          () => {
            if (!first) return lines;
            first = false;
            return Buffer.concat([prefix, lines]);
          },
          maxBytes,
        );
        break;
      }
      case 'slowloris': {
        const fill = Buffer.from(opts.fill ?? 'A', 'latin1');
        let i = 0;
        drip = setInterval(() => {
          if (socket.destroyed || conn.bytesWritten >= maxBytes) return;
          const byte = i < prefix.length ? prefix[i]! : fill[(i - prefix.length) % fill.length]!;
          i++;
          conn.bytesWritten++;
          socket.write(Buffer.from([byte]));
        }, opts.dripMs ?? 500);
        break;
      }
      case 'garbage':
        conn.bytesWritten += GARBAGE.length;
        socket.write(GARBAGE);
        break;
      case 'tarpit':
        break;
      case 'close-immediately':
        if (opts.reset) socket.resetAndDestroy();
        else socket.end();
        break;
      case 'script':
        opts.script?.(socket);
        break;
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port: 0 }, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    kind,
    address,
    port,
    connections,
    async allClosed(timeoutMs: number): Promise<boolean> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const all = Promise.all(connections.map((c) => c.done)).then(() => true as const);
      const ok = await Promise.race([all, timeout]);
      clearTimeout(timer);
      return ok;
    },
    close(): Promise<void> {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port with nothing listening on `address` (bound, then released), for connection-refused tests. */
export async function closedPort(address = '127.42.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ host: address, port: 0 }, () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SynBlackhole {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A listener whose accept queue is full, so the kernel drops further SYNs and a connect neither
 * succeeds nor is refused: a loopback stand-in for a filtered port. Node always accepts, so the
 * listener is a small python3 process (listen(0), never accept); two connections fill its queue.
 * Returns undefined when python3 is not available.
 */
export async function startSynBlackhole(
  address = '127.42.0.1',
  lifetimeS = 60,
): Promise<SynBlackhole | undefined> {
  const code = [
    'import socket, sys, time',
    's = socket.socket()',
    `s.bind((${JSON.stringify(address)}, 0))`,
    's.listen(0)',
    'print(s.getsockname()[1], flush=True)',
    `time.sleep(${Math.max(1, Math.min(lifetimeS, 600))})`,
  ].join('\n');
  let child: ChildProcess;
  try {
    child = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
  const port = await new Promise<number | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 5000);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.stdout?.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve(Number(d.toString().trim()) || undefined);
    });
  });
  if (port === undefined) {
    child.kill('SIGKILL');
    return undefined;
  }
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = net.connect({ host: address, port });
    s.on('error', () => undefined);
    fillers.push(s);
  }
  // Give the first filler time to land in the accept queue.
  await new Promise((r) => setTimeout(r, 200));
  return {
    address,
    port,
    async close(): Promise<void> {
      for (const s of fillers) s.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
