import { Counter } from 'prom-client';

import { metricsRegistry } from '../observability/metrics.js';

/** Attempts by format and outcome: `retried` will be tried again, `failed` was the last attempt (or refused). */
export const webhookAttempts = new Counter({
  name: 'fleetqry_webhook_attempts_total',
  help: 'Webhook delivery attempts, by format and outcome (succeeded, retried, failed)',
  labelNames: ['format', 'outcome'] as const,
  registers: [metricsRegistry],
});

/** Deliveries given up on: the number to alert on. */
export const webhookDeliveriesFailed = new Counter({
  name: 'fleetqry_webhook_deliveries_failed_total',
  help: 'Webhook deliveries that failed after their last attempt, or whose destination was refused',
  labelNames: ['format'] as const,
  registers: [metricsRegistry],
});
