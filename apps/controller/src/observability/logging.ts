import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Params } from 'nestjs-pino';

import type { AppConfig } from '../config/app-config.js';
import { requestIdOf } from './request-id.js';

/**
 * Censored wherever they appear: request headers that carry tokens, and any field named like a secret, as a
 * second line of defence (the code never logs bodies, credentials or job data wholesale).
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'secret',
  '*.secret',
  'token',
  '*.token',
  '*.*.token',
  'adminToken',
  '*.adminToken',
  'workerToken',
  '*.workerToken',
  'authorization',
  '*.authorization',
  'communities',
  '*.communities',
  '*.*.communities',
  // A scan's protocol options hold the SNMP namespace (communities, v3 keys) one level down.
  'protocolOptions',
  '*.protocolOptions',
  '*.*.protocolOptions',
  'community',
  '*.community',
  'password',
  '*.password',
  'credentialKey',
  '*.credentialKey',
];

/** pino JSON logs for Nest and for every request (method, route, status, duration; no bodies). */
export function loggerParams(config: Pick<AppConfig, 'logLevel'>): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: requestId,
      customAttributeKeys: { reqId: 'requestId' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Health and metrics are polled every few seconds; logging them would drown everything else.
      autoLogging: { ignore: (req) => /^\/(health|metrics)\b/.test(req.url ?? '') },
      serializers: {
        // The URL minus its query string: report filters are harmless, but a future query parameter may not be.
        req: (req: {
          id?: unknown;
          method: string;
          url: string;
          headers: Record<string, unknown>;
          remoteAddress?: string;
        }) => ({
          // The id error bodies and X-Request-Id give back, so a report of an error finds its log line.
          ...(requestIdOf(req) !== undefined ? { requestId: requestIdOf(req) } : {}),
          method: req.method,
          url: req.url.split('?')[0],
          headers: req.headers,
          remoteAddress: req.remoteAddress,
        }),
      },
    },
  };
}

/** A caller's X-Request-Id is kept when it looks like an id (it is logged); otherwise a new uuid. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of a request: in every log line about it (`requestId`), in the `X-Request-Id` response header and
 * in error bodies, so a user's error report leads straight to the log.
 */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}
