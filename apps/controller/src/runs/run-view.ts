import type { RunView } from '@fleetqry/contracts';
import { runNetworkQuality, type ChunkProgress, type RunRecord } from '@fleetqry/store';

export type { RunView };

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
