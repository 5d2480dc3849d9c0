import fs from 'node:fs';
import { createRun, createStore, ensureScanDefinition, startRun } from '@fleetqry/store';
import { ingestBatch } from '@fleetqry/sweep';

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const t = () => performance.now() / 1000;
const dir = '/tmp/t10/mb/d' + Date.now();
let c0 = cpu(), w0 = t();
const lap = (label: string) => { const c = cpu(), w = t(); console.log(`${label}: cpu ${(c - c0).toFixed(2)} s wall ${(w - w0).toFixed(2)} s`); c0 = c; w0 = w; };
const store = await createStore(process.env.DB ? { databaseUrl: process.env.DB, migrate: true } : { dataDir: dir });
lap('open');
const def = await ensureScanDefinition(store.prisma, 'mb');
const { run } = await createRun(store.prisma, { trigger: 'cli', scanDefinitionId: def.id, policyName: 'baseline', totalProbes: 1 << 20, hosts: 65536, plan: { inventory: 'x', policyVersion: '1', ports: { tcp: '1-16', udp: '' } } });
await startRun(store.prisma, run.id, new Date());
lap('createRun');
const now = new Date().toISOString();
const BATCH = Number(process.env.BATCH ?? 3125);
for (let h = 0; h < 65536; h += BATCH) {
  const cov = [];
  for (let i = h; i < Math.min(65536, h + BATCH); i++) {
    const a = `127.78.${i >> 8}.${i & 255}`;
    cov.push({ host: a, address: a, proto: 'tcp' as const, closed: [[1, 16]] as [number, number][], observedAt: now });
  }
  await store.sql((conn) => conn.transaction((tx) => ingestBatch(tx, run.id, [], cov)));
}
lap('ingest 65536 coverage rows');
await store.close();
lap('close');
fs.rmSync(dir, { recursive: true, force: true });
