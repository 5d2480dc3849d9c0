import {
  Controller,
  GatewayTimeoutException,
  HttpCode,
  Inject,
  Post,
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { QueryRequestSchema, QueryResultSchema, type QueryRequest } from '@fleetqry/contracts';

import { ZodBody, ZodResponse } from '../api/common/zod-decorators.js';
import { validationError } from '../api/common/zod-validation.pipe.js';
import { Endpoint } from '../api/common/endpoint.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { QueueUnavailableError } from '../dispatch/dispatch-queues.js';
import { QueriesService, QueryRequestError } from './queries.service.js';
import { QueryFailedError, QueryTimeoutError } from './query-queue.js';

/** PortQryUI's query of one server, run by a worker. It sends packets, so it is an operator's action. */
@ApiTags('queries')
@Controller('queries')
export class QueriesController {
  constructor(@Inject(QueriesService) private readonly queries: QueriesService) {}

  /** 200 with PortQry's text and the observations; 400 names the field; 504 when no worker answers. */
  @Post()
  @Endpoint('Query one server’s ports as PortQry does, run by a worker', { errors: [422, 503, 504] })
  @HttpCode(200)
  @Roles('operator')
  @ZodResponse(200, QueryResultSchema)
  async run(@ZodBody(QueryRequestSchema) body: QueryRequest) {
    try {
      return await this.queries.run(body);
    } catch (error) {
      if (error instanceof QueryRequestError)
        throw validationError([{ path: error.field, message: error.message }], 'query');
      if (error instanceof QueueUnavailableError)
        throw new ServiceUnavailableException('the job queue is unavailable; retry later');
      if (error instanceof QueryTimeoutError) throw new GatewayTimeoutException(error.message);
      if (error instanceof QueryFailedError) throw new UnprocessableEntityException(error.message);
      throw error;
    }
  }
}
