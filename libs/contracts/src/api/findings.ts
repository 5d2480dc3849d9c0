import { z } from 'zod';

import { FindingSchema, FindingStatusSchema, SeveritySchema } from '../finding.js';
import { ObservationSchema } from '../observation.js';
import { PortStateSchema, ProtoSchema } from '../port-state.js';
import { listParam, pageOf } from './common.js';

/** A run by uuid, by number (`7`) or `latest` (the newest succeeded run). */
export const RunRefSchema = z
  .string()
  .regex(
    /^(latest|\d{1,9}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i,
    'a run uuid, number or "latest"',
  );

export const FindingsQuerySchema = z.strictObject({
  run: RunRefSchema.default('latest'),
  severity: listParam(SeveritySchema).optional(),
  rule: listParam(z.string().min(1)).optional(),
  host: listParam(z.string().min(1)).optional(),
  tag: listParam(z.string().min(1)).optional(),
  status: listParam(FindingStatusSchema).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const FindingsPageSchema = pageOf(FindingSchema).extend({
  run: z.object({ id: z.string(), number: z.number().int() }),
});

/** The summary takes the findings filters, without paging. */
export const FindingsSummaryQuerySchema = FindingsQuerySchema.omit({ limit: true, offset: true });

/** Counts by severity, rule and status (with distinct hosts), aggregated in SQL: a run's summary without its rows. */
export const FindingsSummarySchema = z.strictObject({
  run: z.object({ id: z.string(), number: z.number().int() }),
  total: z.number().int().nonnegative(),
  groups: z.array(
    z.strictObject({
      severity: SeveritySchema,
      rule: z.string(),
      status: FindingStatusSchema,
      count: z.number().int().nonnegative(),
      hosts: z.number().int().nonnegative(),
    }),
  ),
});

const REPORT_FORMATS = ['json', 'csv', 'sarif', 'text', 'html'] as const;

/** Report filters, the same as `fleetqry report`'s (`min-severity` keeps that severity and above). */
export const ReportQuerySchema = z.strictObject({
  format: z.enum(REPORT_FORMATS).default('json'),
  'min-severity': SeveritySchema.optional(),
  rule: listParam(z.string().min(1)).optional(),
  host: listParam(z.string().min(1)).optional(),
  tag: listParam(z.string().min(1)).optional(),
  status: listParam(FindingStatusSchema).optional(),
});

export const DeltaQuerySchema = z.strictObject({ from: RunRefSchema, to: RunRefSchema });

export const DeltaResponseSchema = z.object({
  from: z.object({ id: z.string(), number: z.number().int() }),
  to: z.object({ id: z.string(), number: z.number().int() }),
  new: z.array(FindingSchema),
  resolved: z.array(FindingSchema),
  persisting: z.array(FindingSchema),
  severityChanged: z.array(z.object({ finding: FindingSchema, previousSeverity: SeveritySchema })),
});

/** A run's stored observations, filtered and paged (the network view behind the findings). */
export const ObservationsQuerySchema = z.strictObject({
  run: RunRefSchema.default('latest'),
  host: listParam(z.string().min(1)).optional(),
  proto: listParam(ProtoSchema).optional(),
  port: listParam(z.string().regex(/^\d{1,5}$/, 'a port number')).optional(),
  state: listParam(PortStateSchema).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  offset: z.coerce.number().int().min(0).default(0),
});

export const ObservationsPageSchema = pageOf(ObservationSchema).extend({
  run: z.object({ id: z.string(), number: z.number().int() }),
});

/** Violations per run of a run's scan definition, up to that run (the overview's and the HTML report's chart). */
export const TrendQuerySchema = z.strictObject({
  run: RunRefSchema.default('latest'),
  limit: z.coerce.number().int().min(1).max(500).default(30),
});
