import type { NetworkQuality } from '@fleetqry/contracts';
import { runNetworkQuality, type ChunkProgress, type RunRecord } from '@fleetqry/store';

/** A run as GET /runs/:id shows it: status, progress in probes, hosts and chunks, timings. */
export interface RunView {
  id: string;
  number: number;
  status: RunRecord['status'];
  trigger: RunRecord['trigger'];
  scanDefinitionId: string | null;
  policy: { name: string | null; version: number | null };
  hosts: number;
  progress: {
    totalProbes: number;
    /** Probes whose results are stored (ingest progress). */
    doneProbes: number;
    chunks?: number;
    doneChunks?: number;
    /** `evaluating` once every probe is in and the policy runs over the run's hosts. */
    stage: 'probing' | 'evaluating' | null;
    evaluatedHosts: number;
  };
  /** Retransmissions the probes needed, ports answered only after one, ports left without an answer. */
  network: NetworkQuality;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
  durationMs: number | null;
  error: string | null;
}

export function runView(run: RunRecord, chunks?: ChunkProgress): RunView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const end = run.finishedAt ?? (run.status === 'running' ? new Date() : null);
  return {
    id: run.id,
    number: run.number,
    status: run.status,
    trigger: run.trigger,
    scanDefinitionId: run.scanDefinitionId,
    policy: { name: run.policyName, version: run.policyVersion },
    hosts: run.hosts,
    progress: {
      totalProbes: run.totalProbes,
      doneProbes: run.doneProbes,
      ...(chunks ? { chunks: chunks.chunks, doneChunks: chunks.doneChunks } : {}),
      stage: run.stage === 'evaluating' ? 'evaluating' : run.status === 'running' ? 'probing' : null,
      evaluatedHosts: run.evaluatedHosts,
    },
    network: runNetworkQuality(run),
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    heartbeatAt: iso(run.heartbeatAt),
    durationMs: run.startedAt && end ? end.getTime() - run.startedAt.getTime() : null,
    error: run.error,
  };
}
