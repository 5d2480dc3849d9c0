import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';

/**
 * JSON logs on stdout. Secret-bearing paths are censored wherever they appear one or two levels deep, as a
 * second line of defence: the code never logs job data, configs or credential answers wholesale.
 */
const REDACT_PATHS = [
  'secret',
  '*.secret',
  'token',
  '*.token',
  'workerToken',
  '*.workerToken',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'communities',
  '*.communities',
  '*.*.communities',
  // A scan's protocol options hold the SNMP namespace (communities, v3 keys) one level down.
  'protocolOptions',
  '*.protocolOptions',
  '*.*.protocolOptions',
  'password',
  '*.password',
];

export const LOGGER = Symbol('LOGGER');

/**
 * Synchronous writes: Nest re-raises SIGTERM right after the shutdown hooks, so a buffered last line
 * ("probe worker closed") would be lost with the process. A worker logs a few lines per chunk; the cost
 * of writing them synchronously is nil.
 */
export function createLogger(level: string, name: string): Logger {
  return pino(
    { name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    pino.destination({ fd: 1, sync: true }),
  );
}

/** Nest's own messages (bootstrap, shutdown) through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
