// lab up / down / status.
import fs from 'node:fs';
import path from 'node:path';

import { CLI_CONFIG_FILE, writeCliConfig } from './cli-config.js';
import type { LabConfig } from './config.js';
import { generate } from './generate.js';
import { netDown, netUp } from './netsetup.js';
import { liveness, readRecords, startAll, stopRecorded } from './procs.js';
import { buildTruth, listSockets, missingListeners, writeTruth } from './truth.js';
import type { Plan } from './types.js';
import { sleep } from './util.js';

export async function up(cfg: LabConfig): Promise<number> {
  const t0 = Date.now();
  const plan = generate(cfg);
  console.log(
    `plan: ${plan.hostCount} hosts ${plan.net}.1-${plan.hostCount}, ${plan.launches.length} processes, ` +
      `${plan.listeners.length} listeners (state ${cfg.state})`,
  );
  netUp(cfg, plan);
  console.log(`  nft table inet ${cfg.table} loaded; lo addresses: ${plan.loAddrs.join(' ') || 'none'}`);
  const failed = await startAll(cfg, plan.launches);
  let missing = missingListeners(plan, listSockets());
  for (let t = 0; t < 80 && missing.length; t++) {
    await sleep(250);
    missing = missingListeners(plan, listSockets());
  }
  const truth = buildTruth(plan, listSockets(), failed);
  const file = writeTruth(cfg.state, truth);
  const open = truth.hosts.reduce((n, h) => n + h.openTcp.length + h.openUdp.length, 0);
  console.log(`ground truth: ${file} (${open} open ports, dnsServer ${truth.dnsServer})`);
  console.log(`fleetqry config: ${writeCliConfig(cfg.state, truth)} (pass it with --config)`);
  for (const e of truth.errors) console.log(`  ERROR ${e}`);
  console.log(`lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return failed.length || missing.length ? 1 : 0;
}

export async function down(cfg: LabConfig, purge: boolean): Promise<number> {
  const n = await stopRecorded(cfg);
  console.log(`  stopped ${n} process(es)`);
  for (const line of netDown(cfg)) console.log(`  ${line}`);
  fs.rmSync(path.join(cfg.state, 'ground-truth.json'), { force: true });
  fs.rmSync(path.join(cfg.state, CLI_CONFIG_FILE), { force: true });
  const left = listSockets().filter((s) => s.addr.startsWith(`${cfg.net}.`));
  if (left.length)
    console.log(
      `  WARNING: still bound on ${cfg.net}.x: ${left.map((s) => `${s.proto} ${s.addr}:${s.port} (${s.process})`).join(', ')}`,
    );
  if (purge) {
    fs.rmSync(cfg.state, { recursive: true, force: true });
    console.log(`  purged ${cfg.state}`);
  }
  return left.length ? 1 : 0;
}

export function status(cfg: LabConfig): number {
  const planFile = path.join(cfg.state, 'plan.json');
  if (!fs.existsSync(planFile)) {
    console.log(`lab ${cfg.net}: no plan in ${cfg.state} (down)`);
    return 3;
  }
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as Plan;
  const recs = new Map(readRecords(cfg).map((r) => [r.name, r]));
  const states = plan.launches.map((l) => {
    const r = recs.get(l.name);
    return [l.name, r ? liveness(r) : 'not started'] as const;
  });
  const running = states.filter(([, st]) => st === 'running').length;
  if (running === 0) {
    console.log(`lab ${plan.net}: down (no lab process running; state ${cfg.state})`);
    return 3;
  }
  for (const [name, st] of states) if (st !== 'running') console.log(`  ${name}: ${st}`);
  const missing = missingListeners(plan, listSockets());
  for (const m of missing) console.log(`  ${m}`);
  console.log(
    `lab ${plan.net} (${plan.hostCount} hosts): ${running}/${plan.launches.length} processes running, ` +
      `${plan.listeners.length - missing.length}/${plan.listeners.length} listeners bound`,
  );
  return running === plan.launches.length && !missing.length ? 0 : 1;
}
