// Minimal reader for nmap's -oX output (hosts, ports, extraports, service product). No XML dependency:
// nmap writes one element per line with double-quoted attributes.
import fs from 'node:fs';

import { FOREIGN_PORT } from './safety.js';
import type { Canon } from './truth.js';

interface NmapPort {
  state: string;
  product?: string;
  name?: string;
  version?: string;
}

export interface NmapHost {
  up: boolean;
  ports: Map<string, NmapPort>; // "tcp/22"
  /** state of the ports nmap folded into <extraports> (the most numerous one) */
  extra?: string;
}

const ENT: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescape(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENT[e] ?? m;
  });
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1]!] = unescape(m[2]!);
  return out;
}

/** null when the file is missing or has no </nmaprun> (run killed). */
export function readNmapXml(file: string): Map<string, NmapHost> | null {
  if (!fs.existsSync(file)) return null;
  const xml = fs.readFileSync(file, 'utf8');
  if (!xml.includes('</nmaprun>')) return null;
  const hosts = new Map<string, NmapHost>();
  for (const hm of xml.matchAll(/<host[\s>][\s\S]*?<\/host>/g)) {
    const block = hm[0];
    const addr = /<address addr="([^"]+)" addrtype="ipv4"/.exec(block)?.[1];
    if (!addr) continue;
    const st = /<status state="(\w+)"/.exec(block)?.[1];
    const h: NmapHost = { up: st === 'up', ports: new Map() };
    let best = -1;
    for (const em of block.matchAll(/<extraports ([^>]*)>/g)) {
      const a = attrs(em[1]!);
      const n = Number(a.count);
      if (n > best) {
        best = n;
        h.extra = a.state;
      }
    }
    for (const pm of block.matchAll(/<port ([^>]*)>([\s\S]*?)<\/port>/g)) {
      const a = attrs(pm[1]!);
      const inner = pm[2]!;
      const stTag = /<state ([^>]*)\/>/.exec(inner)?.[1];
      const svTag = /<service ([^>]*?)\/?>/.exec(inner)?.[1];
      const sv = svTag ? attrs(svTag) : {};
      h.ports.set(`${a.protocol}/${a.portid}`, {
        state: stTag ? (attrs(stTag).state ?? '') : '',
        product: sv.product,
        name: sv.name,
        version: sv.version,
      });
    }
    hosts.set(addr, h);
  }
  return hosts;
}

export function nmapState(h: NmapHost | undefined, key: string): Canon {
  if (!h || !h.up) return 'missing';
  const s = h.ports.get(key)?.state ?? h.extra ?? 'closed';
  if (s === 'open' || s === 'closed' || s === 'filtered' || s === 'open|filtered') return s;
  return 'missing';
}

/**
 * An nmap command line as every benchmark runs it: never a DNS lookup (`-n`; the machine's resolver is
 * not on loopback), never the foreign port, targets from the checked file, XML out.
 */
export function nmapCommand(
  scan: readonly string[],
  portSpec: string,
  targetsFile: string,
  xml: string,
): string[] {
  return [
    'nmap',
    '-n',
    ...scan,
    `-p${portSpec}`,
    '--exclude-ports',
    String(FOREIGN_PORT),
    '-iL',
    targetsFile,
    '-oX',
    xml,
  ];
}
