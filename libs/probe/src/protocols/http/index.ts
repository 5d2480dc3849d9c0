import type { HttpData, Observation } from '@fleetqry/contracts';

import { evidenceText, queryBudgetMs, type QueryResult } from '../common/greeting-query.js';
import { TcpConversation } from '../common/tcp-conversation.js';
import type { ProtocolContext, ProtocolPlugin } from '../plugin.js';
import {
  buildRequest,
  hostHeader,
  type HttpHead,
  httpHeadFramer,
  parseHttpHead,
  sniName,
} from './http-head.js';

export { buildRequest, hostHeader, httpHeadFramer, parseHttpHead, sniName } from './http-head.js';

/** Ports spoken over TLS (HTTPS) by default; every other port is plain HTTP. */
const HTTPS_PORTS: readonly number[] = [443];

export interface HttpPluginOptions {
  /** Ports that speak TLS (default HTTPS_PORTS). */
  httpsPorts?: readonly number[];
  /** Ports tried by default (default 80, 8000, 8080, 443). */
  ports?: readonly number[];
}
/** Informational (1xx) heads skipped before the final response, at most. */
const MAX_INTERIM_HEADS = 5;

function httpData(head: HttpHead, tls: boolean): HttpData {
  const data: HttpData = { tls };
  if (head.statusCode !== undefined) data.statusCode = head.statusCode;
  if (head.server !== undefined) data.server = head.server;
  return data;
}

/** One request on its own connection (`Connection: close`), within what is left of the deadline. */
async function exchange(
  ctx: ProtocolContext,
  method: 'HEAD' | 'GET',
  deadlineAt: number,
  tls: boolean,
): Promise<{ result: QueryResult; head?: HttpHead }> {
  const label = `HTTP ${method}`;
  const servername = tls ? sniName(ctx.host) : undefined;
  const opened = await TcpConversation.open({
    address: ctx.address,
    port: ctx.port,
    timeoutMs: Math.max(0, deadlineAt - Date.now()),
    signal: ctx.signal,
    maxBytes: Math.max(1, ctx.options.maxResponseBytes),
    ...(tls ? { tls: servername ? { servername } : {} } : {}),
    ...(ctx.sourcePort !== undefined ? { localPort: ctx.sourcePort } : {}),
  });
  if (!opened.ok) {
    return {
      result: {
        status: opened.status,
        detail: `${label}: ${opened.detail}`,
        answered: opened.answered ?? false,
      },
    };
  }
  const conv = opened.conversation;
  try {
    conv.write(buildRequest(method, hostHeader(ctx.host, ctx.address, ctx.port, tls)));
    for (let interim = 0; ; interim++) {
      const read = await conv.read(httpHeadFramer);
      if (!read.ok) {
        const result: QueryResult = {
          status: read.status,
          detail: `${label}: ${read.detail}`,
          answered: conv.answered,
        };
        if (read.partial.length > 0) {
          result.evidence = evidenceText(read.partial);
          const partial = parseHttpHead(read.partial);
          if (read.status === 'truncated' && partial.statusCode !== undefined) {
            result.data = {
              http: httpData(partial, tls),
              ...(partial.server ? { banner: partial.server } : {}),
            };
          }
        }
        return { result };
      }
      const head = parseHttpHead(read.frame);
      if (head.statusCode === undefined) {
        return {
          result: {
            status: 'protocol-error',
            detail: `${label}: malformed status line`,
            answered: true,
            evidence: evidenceText(read.frame),
          },
        };
      }
      if (
        head.statusCode >= 100 &&
        head.statusCode < 200 &&
        head.statusCode !== 101 &&
        interim < MAX_INTERIM_HEADS
      ) {
        continue;
      }
      const result: QueryResult = {
        status: 'success',
        answered: true,
        evidence: evidenceText(read.frame),
        data: { http: httpData(head, tls), ...(head.server ? { banner: head.server } : {}) },
      };
      if (!head.server) result.detail = `${label}: no Server header`;
      return { result, head };
    }
  } finally {
    conv.close();
  }
}

/**
 * HTTP `Server:` banner: `HEAD /` (a `GET /` if HEAD is refused with 405 or 501), TLS on 443 with
 * SNI = the user's host name, certificates not verified. Only the response head is read.
 */
export function createHttpPlugin(options: HttpPluginOptions = {}): ProtocolPlugin {
  const httpsPorts = options.httpsPorts ?? HTTPS_PORTS;
  return {
    name: 'http',
    ports: { tcp: options.ports ?? [80, 8000, 8080, 443] },
    async query(ctx) {
      const deadlineAt = Date.now() + queryBudgetMs(ctx.timeoutMs);
      const tls = httpsPorts.includes(ctx.port);
      try {
        const head = await exchange(ctx, 'HEAD', deadlineAt, tls);
        const code = head.head?.statusCode;
        if (code !== 405 && code !== 501) return head.result;
        const get = await exchange(ctx, 'GET', deadlineAt, tls);
        if (get.head) return get.result;
        return {
          ...head.result,
          detail: `HEAD refused (${code}); GET fallback failed: ${get.result.detail}`,
        };
      } catch (err) {
        return { status: 'protocol-error', detail: `HTTP: ${(err as Error).message}`, answered: false };
      }
    },
    describe(obs: Observation): string[] {
      const lines: string[] = [];
      if (obs.http) {
        const code = obs.http.statusCode !== undefined ? String(obs.http.statusCode) : 'unknown';
        lines.push(`HTTP status: ${code}${obs.http.tls ? ' (TLS)' : ''}`);
        lines.push(`Server: ${obs.http.server ?? '(none sent)'}`);
      }
      if (obs.protocol && obs.protocol.status !== 'success') {
        lines.push(
          `HTTP query: ${obs.protocol.status}${obs.protocol.detail ? ` (${obs.protocol.detail})` : ''}`,
        );
      }
      return lines;
    },
  };
}

export const httpPlugin: ProtocolPlugin = createHttpPlugin();
