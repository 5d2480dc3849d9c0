// Response shapes, from the DTOs the controller validates with (libs/contracts): types only, nothing of
// zod or the contracts lib is bundled.
import type {
  AuditEntrySchema,
  CredentialResponseSchema,
  DeltaResponseSchema,
  FindingsPageSchema,
  FindingsSummarySchema,
  HostViewDetailSchema,
  HostViewSummarySchema,
  InventoryResponseSchema,
  ObservationsPageSchema,
  QueryResultSchema,
  ScanDefinitionResponseSchema,
  ScheduleViewSchema,
  ServiceGroupResponseSchema,
  TokenInfoSchema,
  ViolationTrendSchema,
  WaiverResponseSchema,
} from '@fleetqry/contracts';
import type { z } from 'zod';

export type { Finding, Observation, Severity, TrendPoint } from '@fleetqry/contracts';

export type FindingsPage = z.infer<typeof FindingsPageSchema>;
export type FindingsSummary = z.infer<typeof FindingsSummarySchema>;
export type ViolationTrend = z.infer<typeof ViolationTrendSchema>;
export type Delta = z.infer<typeof DeltaResponseSchema>;
export type ObservationsPage = z.infer<typeof ObservationsPageSchema>;
export type ScanDefinition = z.infer<typeof ScanDefinitionResponseSchema>;
export type ScheduleView = z.infer<typeof ScheduleViewSchema>;
export type Inventory = z.infer<typeof InventoryResponseSchema>;
export type Credential = z.infer<typeof CredentialResponseSchema>;
export type TokenInfo = z.infer<typeof TokenInfoSchema>;
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type Waiver = z.infer<typeof WaiverResponseSchema>;
export type ServiceGroup = z.infer<typeof ServiceGroupResponseSchema>;
export type HostViewSummary = z.infer<typeof HostViewSummarySchema>;
export type HostViewDetail = z.infer<typeof HostViewDetailSchema>;
export type QueryResult = z.infer<typeof QueryResultSchema>;

/** GET /runs items (the controller's RunView). */
export interface Run {
  id: string;
  number: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  trigger: string;
  scanDefinitionId: string | null;
  policy: { name: string | null; version: number | null };
  hosts: number;
  progress: {
    totalProbes: number;
    doneProbes: number;
    chunks?: number;
    doneChunks?: number;
    stage: 'probing' | 'evaluating' | null;
    evaluatedHosts: number;
  };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
}

/** GET /service-groups/builtin items (libs/probe's PortQryUI groups). */
export interface BuiltinGroup {
  name: string;
  title: string;
  aliases?: string[];
  description: string;
  tcp?: string;
  udp?: string;
  notes?: string;
}

/** A paged list (`pageOf` in libs/contracts). */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
