import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

import type { DestinationAllowlist } from './destination-allowlist.js';

export interface SendResult {
  ok: boolean;
  /** The receiver's HTTP status, if it answered. */
  status: number | null;
  error: string | null;
  /** The destination itself is refused (allowlist): retrying cannot help. */
  refused?: boolean;
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * One POST to a webhook URL. The host is resolved here and every address checked against the allowlist at
 * each attempt; the connection then goes to the checked address itself (the Host header and TLS name stay
 * the URL's), so a second lookup cannot swap the destination. Redirects are not followed: a 3xx fails the
 * attempt. The response body is read up to 4 KiB and discarded.
 */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { allow: DestinationAllowlist; timeoutMs: number; resolve?: Resolver },
): Promise<SendResult> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await (opts.resolve ?? systemResolver)(host);
  } catch (error) {
    return { ok: false, status: null, error: `cannot resolve ${host}: ${(error as Error).message}` };
  }
  const refusal = opts.allow.check(host, addresses);
  if (refusal) return { ok: false, status: null, error: refusal, refused: true };

  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    const req = send(
      {
        host: addresses[0],
        port: target.port || (target.protocol === 'https:' ? 443 : 80),
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        ...(isIP(host) ? {} : { servername: host }),
        headers: {
          ...headers,
          host: target.host,
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'fleetqry-webhooks',
        },
        timeout: opts.timeoutMs,
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let seen = 0;
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > 4096) res.destroy();
        });
        res.on('error', () => {});
        res.resume();
        if (status >= 200 && status < 300) resolve({ ok: true, status, error: null });
        else if (status >= 300 && status < 400)
          resolve({ ok: false, status, error: `redirect to ${res.headers.location ?? '?'} not followed` });
        else resolve({ ok: false, status, error: `HTTP ${status}` });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (error) => resolve({ ok: false, status: null, error: error.message }));
    req.end(body);
  });
}
