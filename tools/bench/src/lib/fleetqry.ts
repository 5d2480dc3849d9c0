// Reader for `fleetqry query --format jsonl`: one observation per line.
import fs from 'node:fs';

import type { Canon } from './truth.js';

export interface Observation {
  host: string;
  address: string;
  proto: 'tcp' | 'udp';
  port: number;
  state: string;
  banner?: string;
  http?: { server?: string; tls?: boolean };
  ssh?: { software?: string };
  snmp?: { communities?: string[]; versions?: Record<string, string[]> };
  protocol?: { name?: string; status?: string; detail?: string };
}

export interface FleetqryOutput {
  obs: Map<string, Observation>; // "127.30.0.1 tcp/22"
  duplicates: number;
  badLines: number;
}

export const key = (address: string, proto: string, port: number): string => `${address} ${proto}/${port}`;

export function readJsonl(file: string): FleetqryOutput {
  const obs = new Map<string, Observation>();
  let duplicates = 0;
  let badLines = 0;
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let o: Observation;
    try {
      o = JSON.parse(line) as Observation;
    } catch {
      badLines++;
      continue;
    }
    if (typeof o.address !== 'string' || typeof o.port !== 'number') {
      badLines++;
      continue;
    }
    const k = key(o.address, o.proto, o.port);
    if (obs.has(k)) duplicates++;
    obs.set(k, o);
  }
  return { obs, duplicates, badLines };
}

const MAP: Record<string, Canon> = {
  LISTENING: 'open',
  'NOT LISTENING': 'closed',
  FILTERED: 'filtered',
  'LISTENING or FILTERED': 'open|filtered',
};

export function fleetqryState(o: Observation | undefined): Canon {
  return o ? (MAP[o.state] ?? 'missing') : 'missing';
}

/** Canonical → fleetqry wording, for reports. */
export const FQ_WORD: Record<Canon, string> = {
  open: 'LISTENING',
  closed: 'NOT LISTENING',
  filtered: 'FILTERED',
  'open|filtered': 'LISTENING or FILTERED',
  missing: '(no observation)',
};
