import {
  type ArgumentsHost,
  Catch,
  ConflictException,
  type ExceptionFilter,
  HttpException,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { isUniqueViolation } from '@fleetqry/store';

/**
 * A unique-constraint violation (a name already taken) is the client's conflict, 409, not a 500: services
 * need not pre-check names (which would race anyway). Everything else goes to Nest's default handling.
 */
@Catch()
export class StoreErrorsFilter extends BaseExceptionFilter implements ExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (!(exception instanceof HttpException) && isUniqueViolation(exception)) {
      const fields = ((exception as { meta?: { target?: unknown } }).meta?.target ?? []) as string[] | string;
      const list = Array.isArray(fields) ? fields.join(', ') : String(fields);
      return super.catch(
        new ConflictException({
          statusCode: 409,
          error: 'Conflict',
          message: `already exists${list ? ` (${list} must be unique)` : ''}`,
        }),
        host,
      );
    }
    return super.catch(exception, host);
  }
}
