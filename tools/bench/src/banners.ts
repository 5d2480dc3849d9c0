// Benchmark 4: banners / products on the lab's banner hosts, fleetqry (protocol queries) vs `nmap -n -sT -sV`.
import { type Observation, key, readJsonl } from './lib/fleetqry.js';
import { type NmapHost, nmapCommand, readNmapXml } from './lib/nmap.js';
import { scoreFleetqryStates, scoreNmapStates } from './lib/states.js';
import { type Benchmark, type RunFiles, type Score, fleetqryBase, writeTargets } from './lib/suite.js';
import { byAddress, expectedFleetqry, expectedNmap, type HostTruth } from './lib/truth.js';

const BANNER_PORTS = [21, 22, 25, 80, 110, 143, 443, 8000, 8080];

/** Ground-truth component (services["tcp/N"]) -> the product token a scanner must name. */
const PRODUCT_TOKEN: Record<string, string> = {
  openssh: 'OpenSSH',
  dropbear: 'dropbear',
  'socat-banner': 'Cisco',
  nginx: 'nginx',
  'nginx-as-iis': 'Microsoft-IIS',
  lighttpd: 'lighttpd',
  'python-http.server': 'SimpleHTTP',
  vsftpd: 'vsFTPd',
  opensmtpd: 'OpenSMTPD',
  'dovecot-pop3': 'Dovecot',
  'dovecot-imap': 'Dovecot',
};

/** Case-, space- and punctuation-insensitive ("Microsoft IIS httpd" names "Microsoft-IIS"). */
const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
const names = (text: string, token: string) => norm(text).includes(norm(token));

interface Service {
  address: string;
  port: number;
  component: string;
  token: string | undefined;
}

function bannerServices(hosts: readonly HostTruth[]): Service[] {
  const out: Service[] = [];
  for (const h of hosts) {
    for (const p of BANNER_PORTS) {
      if (!h.openTcp.includes(p)) continue;
      const component = h.services[`tcp/${p}`] ?? '?';
      out.push({ address: h.address, port: p, component, token: PRODUCT_TOKEN[component] });
    }
  }
  return out;
}

const fleetqryText = (o: Observation | undefined): string =>
  o ? [o.banner, o.http?.server, o.ssh?.software].filter(Boolean).join(' | ') : '';
const nmapText = (h: NmapHost | undefined, port: number): string => {
  const p = h?.ports.get(`tcp/${port}`);
  return p ? [p.product, p.version].filter(Boolean).join(' ') : '';
};

function productScore(
  services: readonly Service[],
  text: (s: Service) => string,
  states: { agree: number; total: number; falseOpen: number; mismatches: string[] },
): Score {
  const scored = services.filter((s) => s.token);
  const wrong = scored.filter((s) => !names(text(s), s.token!));
  const right = scored.length - wrong.length;
  return {
    line:
      `products named ${right}/${scored.length}` +
      (services.length > scored.length ? ` (${services.length - scored.length} unscored)` : '') +
      `; port states ${states.agree}/${states.total}, false LISTENING ${states.falseOpen}`,
    agree: right,
    total: scored.length,
    metrics: {
      productsRight: right,
      productsTotal: scored.length,
      unscored: services.length - scored.length,
      statesAgree: states.agree,
      statesTotal: states.total,
      falseListening: states.falseOpen,
    },
    mismatches: [
      ...wrong.map(
        (s) =>
          `${s.address} tcp/${s.port} (${s.component}) want "${s.token}" got "${text(s) || '(nothing)'}"`,
      ),
      ...states.mismatches,
    ],
  };
}

/** At most three distinct values per table cell, pipes escaped for markdown. */
const cell = (vals: Set<string>): string => {
  const v = [...vals];
  const shown = v.slice(0, 3).join('; ') + (v.length > 3 ? `; … (${v.length - 3} more)` : '');
  return shown.replace(/\|/g, '\\|');
};

export const banners: Benchmark = {
  id: 'banners',
  title: 'Banners and products on the banner hosts',
  goal: 'fleetqry at least 5x faster than nmap -sV on the same ports, same products named',
  plan(ctx) {
    const all = byAddress(ctx.gt.hosts);
    const hosts = all.filter((h) => BANNER_PORTS.some((p) => h.openTcp.includes(p)));
    const targets = hosts.map((h) => h.address);
    const file = writeTargets(ctx, 'banners', targets);
    const services = bannerServices(hosts);
    const spec = BANNER_PORTS.join(',');
    const rpc = all.filter((h) => h.openTcp.includes(135)).map((h) => h.address);
    const perComponent = new Map<string, number>();
    for (const s of services) perComponent.set(s.component, (perComponent.get(s.component) ?? 0) + 1);
    return {
      targets,
      ports: { tcp: BANNER_PORTS },
      notes: [
        `Banner hosts = lab hosts with at least one of TCP ${spec} open: ${targets.length} hosts, ` +
          `${services.length} open banner services (${[...perComponent].map(([c, n]) => `${c} ${n}`).join(', ')}).`,
        `TCP 135 (samba's endpoint mapper on ${rpc.join(', ') || 'no host'}) is not in the port list, so nmap -sV never ` +
          'spends its ~120 s on it; that host is still scanned on its other banner ports.',
        `A product is "named" when the tool's text contains the token for the ground-truth component, ignoring case, ` +
          `spaces and punctuation: ${Object.entries(PRODUCT_TOKEN)
            .map(([c, t]) => `${c} -> ${t}`)
            .join(
              ', ',
            )}. fleetqry text = banner + http.server + ssh.software; nmap text = service product + version.`,
        'Both tools are also scored on every host x banner-port state (ground truth as in the TCP benchmark).',
        'nmap runs -sT (connect scan, like fleetqry and like the reference harness figure of the issue) with default timing.',
      ],
      fleetqry: {
        label: `fleetqry query --tcp ${spec} (all protocol queries)`,
        cmd: () => [...fleetqryBase(ctx), '--targets-file', file, '--tcp', spec],
        score: (f: RunFiles) => {
          const { score: st, obs } = scoreFleetqryStates(f.stdout, hosts, 'tcp', BANNER_PORTS, (h, p) =>
            expectedFleetqry(h, 'tcp', p, []),
          );
          return productScore(services, (s) => fleetqryText(obs.get(key(s.address, 'tcp', s.port))), st);
        },
      },
      reference: {
        label: `nmap -n -sT -sV -p${spec}`,
        cmd: (f) => nmapCommand(['-sT', '-sV'], spec, file, f.xml),
        score: (f: RunFiles) => {
          const st = scoreNmapStates(f.xml, hosts, 'tcp', BANNER_PORTS, (h, p) => expectedNmap(h, 'tcp', p));
          const res = readNmapXml(f.xml);
          return productScore(services, (s) => nmapText(res?.get(s.address), s.port), st);
        },
      },
      extra(fqFiles, refFiles) {
        if (!fqFiles[0] || !refFiles[0]) return [];
        const obs = readJsonl(fqFiles[0].stdout).obs;
        const res = readNmapXml(refFiles[0].xml);
        const rows = new Map<string, { n: number; fq: Set<string>; nm: Set<string> }>();
        for (const s of services) {
          const r = rows.get(s.component) ?? { n: 0, fq: new Set<string>(), nm: new Set<string>() };
          r.n++;
          r.fq.add(fleetqryText(obs.get(key(s.address, 'tcp', s.port))) || '(nothing)');
          r.nm.add(nmapText(res?.get(s.address), s.port) || '(nothing)');
          rows.set(s.component, r);
        }
        return [
          'What each tool reported, per component (run 1):',
          '',
          '| component | services | token | fleetqry | nmap -sV |',
          '|---|---|---|---|---|',
          ...[...rows].map(
            ([c, r]) => `| ${c} | ${r.n} | ${PRODUCT_TOKEN[c] ?? '-'} | ${cell(r.fq)} | ${cell(r.nm)} |`,
          ),
        ];
      },
      verdict(fq, ref, ratio) {
        const reasons: string[] = [];
        if (!(ratio >= 5)) reasons.push(`speed ratio ${ratio.toFixed(2)}x < 5x`);
        const bad = fq.scores.filter((s) => s.agree !== s.total).length;
        if (bad) reasons.push(`fleetqry missed products in ${bad}/${fq.scores.length} runs`);
        const fewer = fq.scores.filter((s, i) => s.agree < (ref.scores[i]?.agree ?? 0)).length;
        if (fewer) reasons.push(`fleetqry named fewer products than nmap in ${fewer} runs`);
        const refBad = ref.scores.filter((s) => s.agree !== s.total).length;
        if (refBad) reasons.push(`(reference) nmap -sV missed products in ${refBad} runs`);
        return { met: ratio >= 5 && bad === 0 && fewer === 0, reasons };
      },
    };
  },
};
