// Test-only: webhook receivers on the test's own loopback addresses, recording every request raw.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

export interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

/** `answer(n)` gives the status (and headers) of the n-th request (0-based). */
export async function startReceiver(
  address: string,
  answer: (n: number) => { status: number; headers?: Record<string, string> } = () => ({ status: 204 }),
): Promise<Receiver> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = requests.length;
      requests.push({ at: Date.now(), headers: req.headers, raw: Buffer.concat(chunks) });
      const { status, headers } = answer(n);
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, address, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/hook`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
