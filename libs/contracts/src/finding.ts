import { z } from 'zod';

import { ProtoSchema } from './port-state.js';
import { SEVERITIES } from './severity.js';

export { SEVERITIES, SEVERITY_COLORS } from './severity.js';

export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/** Lower is more severe; for sorting and --fail-on thresholds. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export const FINDING_STATUSES = ['new', 'persisting', 'resolved', 'waived'] as const;
export const FindingStatusSchema = z.enum(FINDING_STATUSES);
export type FindingStatus = z.infer<typeof FindingStatusSchema>;

/**
 * Where a finding's host is written in its inventory: the file's path relative to the source root (the
 * repository root, or `--sarif-root`), or `inventories/<name>` for an inventory stored in the controller,
 * and the 1-based line of the host's entry (of the CIDR or range entry that covers it; for a stored
 * inventory, the entry's position in its target list). SARIF's physical location.
 */
const FindingSourceSchema = z.object({
  path: z.string().min(1),
  line: z.number().int().positive(),
});
export type FindingSource = z.infer<typeof FindingSourceSchema>;

/** What the policy engine concludes about one host (and port, where it applies). */
export const FindingSchema = z.object({
  /** Stable rule id, e.g. `snmp.community.public`. */
  rule: z.string().min(1),
  severity: SeveritySchema,
  host: z.string(),
  address: z.string(),
  proto: ProtoSchema.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  title: z.string(),
  /** The observed fields/bytes that prove it (never a secret other than the finding's own subject). */
  evidence: z.record(z.string(), z.unknown()),
  /** Identity across runs: same rule, host, port and subject → same key. */
  key: z.string(),
  status: FindingStatusSchema,
  tags: z.array(z.string()).default([]),
  owner: z.string().optional(),
  references: z.array(z.string()).optional(),
  firstSeen: z.string().datetime().optional(),
  lastSeen: z.string().datetime().optional(),
  waiver: z
    .object({ id: z.string(), owner: z.string(), reason: z.string(), expiresAt: z.string().datetime() })
    .optional(),
  /** Reports only (not stored per finding): where the host is written in the run's inventory. */
  source: FindingSourceSchema.optional(),
});
export type Finding = z.infer<typeof FindingSchema>;
