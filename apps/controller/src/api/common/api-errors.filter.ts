import {
  type ArgumentsHost,
  Catch,
  ConflictException,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { ApiError } from '@fleetqry/contracts';
import { isDatabaseUnavailable, isUniqueViolation } from '@fleetqry/store';
import type { Request, Response } from 'express';

import { requestIdOf } from '../../observability/request-id.js';

/**
 * Every error response has one shape (contracts `ApiErrorSchema`: statusCode, error, message, optional
 * issues, and the request id that the log lines carry). A unique-constraint violation (a name already
 * taken) is the client's conflict, 409, not a 500: services need not pre-check names (which would race
 * anyway). A database that cannot be reached is a 503 (retry later). Anything unexpected is a 500 whose
 * body says nothing about the cause; the log has it (and the driver's text of a 503).
 */
@Catch()
export class ApiErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: unknown }>();
    const res = http.getResponse<Response>();
    const requestId = requestIdOf(req);
    const error = toHttpException(exception);
    if (error instanceof ServiceUnavailableException && !(exception instanceof HttpException))
      this.logger.warn({ requestId, err: (exception as Error).message }, 'database unavailable');
    if (!error) {
      this.logger.error(
        {
          requestId,
          err:
            exception instanceof Error
              ? { name: exception.name, message: exception.message, stack: exception.stack }
              : String(exception),
        },
        'unhandled error',
      );
    }
    const status = error?.getStatus() ?? HttpStatus.INTERNAL_SERVER_ERROR;
    const body: ApiError = { ...errorBody(error, status), ...(requestId ? { requestId } : {}) };
    if (!res.headersSent) res.status(status).json(body);
  }
}

function toHttpException(exception: unknown): HttpException | undefined {
  if (exception instanceof HttpException) return exception;
  if (isUniqueViolation(exception)) {
    const fields = ((exception as { meta?: { target?: unknown } }).meta?.target ?? []) as string[] | string;
    const list = Array.isArray(fields) ? fields.join(', ') : String(fields);
    return new ConflictException(`already exists${list ? ` (${list} must be unique)` : ''}`);
  }
  if (isDatabaseUnavailable(exception))
    return new ServiceUnavailableException('the database is unavailable; retry later');
  return undefined;
}

function errorBody(error: HttpException | undefined, status: number): ApiError {
  if (!error) return { statusCode: status, error: 'Internal Server Error', message: 'internal error' };
  const response = error.getResponse();
  const fallback = { statusCode: status, error: reasonPhrase(status), message: error.message };
  if (typeof response === 'string') return { ...fallback, message: response };
  const r = response as Partial<ApiError> & { message?: unknown };
  return {
    statusCode: status,
    error: typeof r.error === 'string' ? r.error : fallback.error,
    message: Array.isArray(r.message)
      ? r.message.join('; ')
      : typeof r.message === 'string'
        ? r.message
        : fallback.message,
    ...(Array.isArray(r.issues) ? { issues: r.issues } : {}),
  };
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  return typeof name === 'string'
    ? name
        .toLowerCase()
        .split('_')
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join(' ')
    : 'Error';
}
