import type { Observation } from '@fleetqry/contracts';

/** One observations row as the ingest path writes it. */
export interface ObservationRow {
  host: string;
  address: string;
  proto: string;
  port: number;
  /** "port" for the state probe's record; the plan's check name when it runs several checks on one port. */
  check: string;
  state: string;
  reason: string;
  service?: string | null;
  /** Protocol outcome and parsed data; stored as JSONB. */
  data?: Record<string, unknown> | null;
  evidence?: string | null;
  observedAt: Date | string;
}

/** The record's own columns; every other field (rtt, protocol outcome and data) goes to `data`. */
const COLUMN_KEYS = new Set([
  'host',
  'address',
  'proto',
  'port',
  'state',
  'reason',
  'service',
  'evidence',
  'observedAt',
]);

/**
 * A contract Observation as one row. The check defaults to "port": the plan decides the key, never the
 * outcome, so a retry whose protocol query timed out still lands on the same row.
 */
export function observationToRow(o: Observation, check = 'port'): ObservationRow {
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!COLUMN_KEYS.has(k) && v !== undefined) data[k] = v;
  return {
    host: o.host,
    address: o.address,
    proto: o.proto,
    port: o.port,
    check,
    state: o.state,
    reason: o.reason,
    service: o.service ?? null,
    data: Object.keys(data).length ? data : null,
    evidence: o.evidence ?? null,
    observedAt: o.observedAt,
  };
}

/** The stored row back as the contract record the policy engine evaluates. */
export function rowToObservation(row: {
  host: string;
  address: string;
  proto: string;
  port: number;
  state: string;
  reason: string;
  service: string | null;
  data: unknown;
  evidence: string | null;
  observedAt: Date;
}): Observation {
  const data = (row.data ?? {}) as Record<string, unknown>;
  return {
    ...data,
    host: row.host,
    address: row.address,
    proto: row.proto,
    port: row.port,
    state: row.state,
    reason: row.reason,
    ...(row.service !== null ? { service: row.service } : {}),
    ...(row.evidence !== null ? { evidence: row.evidence } : {}),
    observedAt: row.observedAt.toISOString(),
  } as Observation;
}
