import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  DeltaQuerySchema,
  DeltaResponseSchema,
  FindingsPageSchema,
  FindingsQuerySchema,
  FindingsSummaryQuerySchema,
  FindingsSummarySchema,
  ObservationsPageSchema,
  ObservationsQuerySchema,
  ReportQuerySchema,
  ReportSchema,
  RunRefSchema,
  TrendQuerySchema,
  ViolationTrendSchema,
} from '@fleetqry/contracts';
import { renderCsv, renderHtml, renderSarif, renderText } from '@fleetqry/sweep';
import type { Response } from 'express';
import type { z } from 'zod';

import { Roles } from '../../auth/roles.decorator.js';
import { ZodQuery, ZodResponse } from '../common/zod-decorators.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { CONTROLLER_VERSION } from '../../version.js';
import { FindingsService } from './findings.service.js';
import { Endpoint } from '../common/endpoint.decorator.js';

const CONTENT_TYPES = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  sarif: 'application/sarif+json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  html: 'text/html; charset=utf-8',
} as const;

/** Reading results is what viewers are for. */
@ApiTags('findings')
@Controller()
@Roles('viewer')
export class FindingsController {
  constructor(private readonly findings: FindingsService) {}

  @Get('findings')
  @Endpoint('List findings of a run, filtered and paged', { errors: [404] })
  @ZodResponse(200, FindingsPageSchema)
  list(@ZodQuery(FindingsQuerySchema) q: z.infer<typeof FindingsQuerySchema>) {
    return this.findings.findings(q);
  }

  @Get('findings/summary')
  @Endpoint('Violations of a run by severity and rule', { errors: [404] })
  @ZodResponse(200, FindingsSummarySchema)
  summary(@ZodQuery(FindingsSummaryQuerySchema) q: z.infer<typeof FindingsSummaryQuerySchema>) {
    return this.findings.summary(q);
  }

  @Get('findings/trend')
  @Endpoint('Violations per run of a scan, by severity', { errors: [404] })
  @ZodResponse(200, ViolationTrendSchema)
  trend(@ZodQuery(TrendQuerySchema) q: z.infer<typeof TrendQuerySchema>) {
    return this.findings.trend(q.run, q.limit);
  }

  @Get('observations')
  @Endpoint('List observations of a run, filtered and paged', { errors: [404] })
  @ZodResponse(200, ObservationsPageSchema)
  observations(@ZodQuery(ObservationsQuerySchema) q: z.infer<typeof ObservationsQuerySchema>) {
    return this.findings.observations(q);
  }

  /**
   * The export of one run: JSON (the ReportSchema, identical to `fleetqry sweep --format json`), CSV, SARIF or
   * text, rendered by libs/sweep's renderers.
   */
  @Get('reports/:run')
  @Endpoint("Export a run's report (JSON, CSV, SARIF, text, HTML)", { errors: [404] })
  @ApiParam({ name: 'run', description: 'run uuid, number, or latest' })
  @ApiProduces(...Object.values(CONTENT_TYPES))
  @ZodResponse(200, ReportSchema, 'the report (format=json)')
  async report(
    @Param('run', new ZodValidationPipe(RunRefSchema, 'param')) run: string,
    @ZodQuery(ReportQuerySchema) q: z.infer<typeof ReportQuerySchema>,
    @Res() res: Response,
  ): Promise<void> {
    const report = await this.findings.report(run, {
      ...(q['min-severity'] ? { minSeverity: q['min-severity'] } : {}),
      ...(q.rule ? { rules: q.rule } : {}),
      ...(q.tag ? { tags: q.tag } : {}),
      ...(q.host ? { hosts: q.host } : {}),
      ...(q.status ? { statuses: q.status } : {}),
    });
    const body =
      q.format === 'json'
        ? JSON.stringify(report)
        : q.format === 'csv'
          ? renderCsv(report)
          : q.format === 'sarif'
            ? renderSarif(report, CONTROLLER_VERSION)
            : q.format === 'html'
              ? renderHtml(report, {
                  version: CONTROLLER_VERSION,
                  trend: (await this.findings.trend(report.run.id)).points,
                })
              : renderText(report);
    // Exports are files named after the run (`curl -OJ`, browsers).
    if (q.format !== 'json')
      res.attachment(`fleetqry-run-${report.run.number}.${q.format === 'text' ? 'txt' : q.format}`);
    res.status(200).type(CONTENT_TYPES[q.format]).send(body);
  }

  @Get('delta')
  @Endpoint('New, resolved and persisting findings between two runs', { errors: [404] })
  @Header('Cache-Control', 'no-store')
  @ZodResponse(200, DeltaResponseSchema)
  delta(@ZodQuery(DeltaQuerySchema) q: z.infer<typeof DeltaQuerySchema>) {
    return this.findings.delta(q.from, q.to);
  }
}
