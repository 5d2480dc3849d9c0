import {
  ConflictException,
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  OutOfScopeError,
  PortParseError,
  UnknownGroupError,
  EmptyPortSelectionError,
  ScanRequestError,
  TargetParseError,
  TooManyHostsError,
} from '@fleetqry/probe';
import { chunkProgress, getRun, listRuns, runPlanFailures } from '@fleetqry/store';
import { z } from 'zod';
import {
  RunCancelledSchema,
  RunDetailSchema,
  RunStartedSchema,
  RunViewSchema,
  type PlanFailure,
} from '@fleetqry/contracts';

import { assertRunRef } from '../api/common/run-ref.js';
import { ZodBody, ZodQuery, ZodResponse } from '../api/common/zod-decorators.js';
import { Roles } from '../auth/roles.decorator.js';
import { CancelRunUseCase } from '../dispatch/cancel-run.use-case.js';
import { QueueUnavailableError } from '../dispatch/dispatch-queues.js';
import { ScanDefinitionNotFoundError } from '../dispatch/scan-planner.js';
import { IdempotencyKeyConflictError, StartRunUseCase } from '../dispatch/start-run.use-case.js';
import { StoreService } from '../store/store.service.js';
import { runView, type RunView } from './run-view.js';
import { Endpoint } from '../api/common/endpoint.decorator.js';

export const StartRunBodySchema = z.strictObject({
  scanDefinitionId: z.uuid(),
  /** Same key, same run: retrying a start request never starts a second run. */
  idempotencyKey: z.string().min(1).max(200).optional(),
});

export const ListRunsQuerySchema = z.strictObject({
  scanDefinitionId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const PLAN_ERRORS = [
  ScanRequestError,
  OutOfScopeError,
  TargetParseError,
  TooManyHostsError,
  PortParseError,
  UnknownGroupError,
  EmptyPortSelectionError,
];

@ApiTags('runs')
@Controller('runs')
export class RunsController {
  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(StartRunUseCase) private readonly startRun: StartRunUseCase,
    @Inject(CancelRunUseCase) private readonly cancelRun: CancelRunUseCase,
  ) {}

  /** 202: the run is planned and its chunks queued; poll GET /runs/:id. 503 at once when Redis is down. */
  @Post()
  @ZodResponse(202, RunStartedSchema, 'the run is planned and its chunks queued')
  @Endpoint('Start a run of a scan definition', { errors: [404, 503] })
  @HttpCode(202)
  @Roles('operator')
  async start(
    @ZodBody(StartRunBodySchema) body: z.infer<typeof StartRunBodySchema>,
  ): Promise<RunView & { created: boolean }> {
    try {
      const { run, created } = await this.startRun.execute({
        scanDefinitionId: body.scanDefinitionId,
        trigger: 'manual',
        ...(body.idempotencyKey ? { idempotencyKey: body.idempotencyKey } : {}),
      });
      return { ...runView(run, await chunkProgress(this.store.prisma, run.id)), created };
    } catch (error) {
      if (error instanceof QueueUnavailableError)
        throw new ServiceUnavailableException('the job queue is unavailable; retry later');
      if (error instanceof ScanDefinitionNotFoundError) throw new NotFoundException(error.message);
      if (error instanceof IdempotencyKeyConflictError) throw new ConflictException(error.message);
      // Plan-time refusals (bad input, out of scope, too many hosts): nothing was recorded or probed.
      if (PLAN_ERRORS.some((E) => error instanceof E))
        throw new BadRequestException((error as Error).message);
      throw error;
    }
  }

  @Get()
  @ZodResponse(200, z.array(RunViewSchema))
  @Endpoint('List runs')
  @Roles('viewer')
  async list(@ZodQuery(ListRunsQuerySchema) query: z.infer<typeof ListRunsQuerySchema>): Promise<RunView[]> {
    const runs = await listRuns(this.store.prisma, query);
    return runs.map((r) => runView(r));
  }

  @Get(':id')
  @ZodResponse(200, RunDetailSchema)
  @Endpoint('Get a run with its progress', { errors: [404] })
  @Roles('viewer')
  async get(@Param('id') id: string): Promise<RunView & { planFailures: PlanFailure[] }> {
    assertRunRef(id, 'id', false);
    const run = await getRun(this.store.prisma, id);
    if (!run) throw new NotFoundException(`no run "${id}"`);
    return {
      ...runView(run, await chunkProgress(this.store.prisma, run.id)),
      planFailures: runPlanFailures(run),
    };
  }

  @Post(':id/cancel')
  @ZodResponse(200, RunCancelledSchema)
  @Endpoint('Cancel a run', { errors: [404] })
  @HttpCode(200)
  @Roles('operator')
  async cancel(@Param('id') id: string): Promise<RunView & { cancelled: boolean; withdrawnChunks: number }> {
    assertRunRef(id, 'id', false);
    const outcome = await this.cancelRun.execute(id);
    if (!outcome.run) throw new NotFoundException(`no run "${id}"`);
    return {
      ...runView(outcome.run, await chunkProgress(this.store.prisma, outcome.run.id)),
      cancelled: outcome.cancelled,
      withdrawnChunks: outcome.withdrawn,
    };
  }
}
