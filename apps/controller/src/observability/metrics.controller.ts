import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { Public } from '../auth/public.decorator.js';
import { metricsRegistry } from './metrics.js';

/**
 * Prometheus scrape endpoint. Public like /health (scrapers hold no API token): it carries counts and
 * durations, no hosts, findings or secrets. Restrict it with a NetworkPolicy (the Helm chart does).
 */
@ApiExcludeController()
@Controller('metrics')
@Public()
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
