import { z } from 'zod';

import { FindingSchema, FindingStatusSchema, SeveritySchema } from './finding.js';
import { NetworkQualitySchema } from './network-quality.js';

/** A target the plan could not turn into a host to probe (a name that does not resolve): never probed. */
export const PlanFailureSchema = z.object({ given: z.string(), error: z.string() });
export type PlanFailure = z.infer<typeof PlanFailureSchema>;

/**
 * The violation report: printed by `fleetqry sweep/report --format json`, served by the API and
 * exported. One shape for the embedded and the distributed transport.
 */
const RunInfoSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  status: z.string(),
  trigger: z.string(),
  scan: z.string().nullable(),
  /**
   * What the run covers, stable across runs and checkouts (SARIF `automationDetails` category): the scan
   * definition's name, or for a CLI sweep the inventory's `name:` (else its path from the source root).
   */
  category: z.string().min(1),
  policy: z.object({ name: z.string(), version: z.string().nullable() }).nullable(),
  hosts: z.number().int().nonnegative(),
  totalProbes: z.number().int().nonnegative(),
  doneProbes: z.number().int().nonnegative(),
  network: NetworkQualitySchema,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  /** Targets of the plan that were never probed; a run none of whose targets resolved is failed. */
  planFailures: z.array(PlanFailureSchema),
});
export type RunInfo = z.infer<typeof RunInfoSchema>;

const ReportSummarySchema = z.object({
  total: z.number().int(),
  violations: z.number().int(),
  hostsWithViolations: z.number().int(),
  byStatus: z.record(FindingStatusSchema, z.number().int()),
  bySeverity: z.record(SeveritySchema, z.number().int()),
  byRule: z.array(
    z.object({
      rule: z.string(),
      severity: SeveritySchema,
      count: z.number().int(),
      hosts: z.number().int(),
    }),
  ),
});

const ReportDeltaSchema = z.object({
  against: z.object({ id: z.string(), number: z.number().int() }).nullable(),
  new: z.number().int(),
  resolved: z.number().int(),
  persisting: z.number().int(),
  waived: z.number().int(),
});

/** A rule of the run's policy as reports describe it (SARIF's reportingDescriptor). */
const ReportRuleSchema = z.object({
  id: z.string(),
  /** The rule type (`snmp-community`, `port-forbidden`, …): what the rule checks, documented in docs/rules.md. */
  type: z.string(),
  /** The policy entries reporting under this id (several `port.forbidden` checks share one id). */
  entries: z.array(
    z.object({
      check: z.string().optional(),
      severity: SeveritySchema,
      title: z.string(),
      description: z.string().optional(),
    }),
  ),
  references: z.array(z.string()),
});
export type ReportRule = z.infer<typeof ReportRuleSchema>;

/**
 * Where each entry of a run's inventory is written, recorded in the run's plan at run start so reports can
 * point a finding at its host's entry. `files` are absolute paths (relative to `root` in reports) or logical
 * paths (`inventories/<name>`, stored inventories); entries are [target as written, file index, line].
 */
const InventorySourcesSchema = z.object({
  root: z.string().optional(),
  files: z.array(z.string()).min(1),
  entries: z.array(z.tuple([z.string(), z.number().int().nonnegative(), z.number().int().positive()])),
});
export type InventorySources = z.infer<typeof InventorySourcesSchema>;

/** The report's part of a run's stored plan (JSON): what both transports record for reports. */
export const RunReportPlanSchema = z.object({
  category: z.string().min(1).optional(),
  sources: InventorySourcesSchema.optional(),
  /** Written by the evaluate stage: the policy's rules as evaluated. */
  rules: z.array(ReportRuleSchema).optional(),
});
export type RunReportPlan = z.infer<typeof RunReportPlanSchema>;

export const ReportSchema = z.object({
  reportVersion: z.literal(1),
  run: RunInfoSchema,
  summary: ReportSummarySchema,
  delta: ReportDeltaSchema,
  /** Every finding of the run with its lifecycle status (new, persisting, resolved, waived). */
  violations: z.array(FindingSchema),
  /** The policy's rules as the run evaluated them (absent for runs evaluated before rules were recorded). */
  rules: z.array(ReportRuleSchema).optional(),
  /** Filters applied to `violations` (the summary always covers the whole run). */
  filters: z.record(z.string(), z.unknown()).optional(),
});
export type Report = z.infer<typeof ReportSchema>;

/** One succeeded run's violations (new + persisting) by severity: a point of the trend chart. */
const TrendPointSchema = z.object({
  run: z.object({ id: z.string(), number: z.number().int() }),
  finishedAt: z.string().nullable(),
  total: z.number().int().nonnegative(),
  bySeverity: z.record(SeveritySchema, z.number().int().nonnegative()),
});
export type TrendPoint = z.infer<typeof TrendPointSchema>;

/** Violations per run over time, oldest first, for one scan definition's succeeded runs. */
export const ViolationTrendSchema = z.object({
  scanDefinitionId: z.string().nullable(),
  points: z.array(TrendPointSchema),
});
export type ViolationTrend = z.infer<typeof ViolationTrendSchema>;
