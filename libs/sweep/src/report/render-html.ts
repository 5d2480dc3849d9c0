import {
  networkQualityLine,
  SEVERITIES,
  SEVERITY_COLORS,
  type Finding,
  type Report,
  type Severity,
  type TrendPoint,
} from '@fleetqry/contracts';

import { evidenceLine } from './render-text.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content and attribute values: every finding field comes from the network. */
function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const CSS = `
:root { color-scheme: light; }
body { font: 10.5pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #111; margin: 24px; }
h1 { font-size: 18pt; margin: 0 0 4px; }
h2 { font-size: 13pt; margin: 20px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 2px; }
.meta { color: #444; margin: 0 0 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; padding: 0; list-style: none; }
.cards li { border: 1px solid #ccc; border-radius: 4px; padding: 6px 10px; min-width: 90px; }
.cards b { display: block; font-size: 15pt; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border: 1px solid #ccc; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num, th.num { text-align: right; }
.sev { color: #fff; padding: 0 4px; border-radius: 3px; font-weight: 600; white-space: nowrap; }
${SEVERITIES.map((s) => `.sev-${s} { background: ${SEVERITY_COLORS[s]}; }`).join('\n')}
.evidence { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 8pt; word-break: break-all; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; }
figcaption { font-size: 9pt; color: #444; }
svg text { font: 9px sans-serif; fill: #222; }
.legend { font-size: 9pt; margin: 4px 0; padding: 0; list-style: none; display: flex; gap: 10px; }
.legend span { display: inline-block; width: 10px; height: 10px; margin-right: 3px; }
${SEVERITIES.map((s) => `.legend .sw-${s} { background: ${SEVERITY_COLORS[s]}; }`).join('\n')}
footer { margin-top: 16px; color: #666; font-size: 8pt; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
  tr, figure, .cards li { break-inside: avoid; }
  .sev, .legend span { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`;

/** A bar chart of the run's violations by severity, as inline SVG. */
function severityChart(bySeverity: Record<Severity, number>): string {
  const max = Math.max(1, ...SEVERITIES.map((s) => bySeverity[s] ?? 0));
  const barH = 16;
  const width = 320;
  const label = 60;
  const bars = SEVERITIES.map((s, i) => {
    const n = bySeverity[s] ?? 0;
    const w = Math.round(((width - label - 40) * n) / max);
    const y = i * (barH + 6);
    return (
      `<text x="0" y="${y + 12}">${s}</text>` +
      `<rect x="${label}" y="${y}" width="${w}" height="${barH}" fill="${SEVERITY_COLORS[s]}"/>` +
      `<text x="${label + w + 4}" y="${y + 12}">${n}</text>`
    );
  }).join('');
  const height = SEVERITIES.length * (barH + 6);
  return (
    `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Violations by severity">` +
    `<title>Violations by severity</title>${bars}</svg><figcaption>Violations by severity (this run)</figcaption></figure>`
  );
}

/** Stacked bars of violations per run by severity (the scan's history up to this run), as inline SVG. */
function trendChart(points: readonly TrendPoint[]): string {
  if (points.length === 0) return '';
  const width = 420;
  const height = 160;
  const left = 34;
  const bottom = 18;
  const max = Math.max(1, ...points.map((p) => p.total));
  const slot = (width - left) / points.length;
  const barW = Math.max(2, Math.min(28, slot - 4));
  const scale = (n: number) => ((height - bottom - 6) * n) / max;
  const bars = points
    .map((p, i) => {
      const x = left + i * slot + (slot - barW) / 2;
      let y = height - bottom;
      const stack = [...SEVERITIES]
        .reverse()
        .map((s) => {
          const h = scale(p.bySeverity[s] ?? 0);
          y -= h;
          return h > 0
            ? `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${SEVERITY_COLORS[s]}"><title>run #${p.run.number}: ${p.bySeverity[s]} ${s}</title></rect>`
            : '';
        })
        .join('');
      const every = Math.ceil(points.length / 12);
      const tick =
        i % every === 0
          ? `<text x="${(x + barW / 2).toFixed(1)}" y="${height - 4}" text-anchor="middle">#${p.run.number}</text>`
          : '';
      return stack + tick;
    })
    .join('');
  const axis =
    `<line x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}" stroke="#888"/>` +
    `<text x="${left - 4}" y="12" text-anchor="end">${max}</text>` +
    `<text x="${left - 4}" y="${height - bottom}" text-anchor="end">0</text>`;
  return (
    `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Violations per run by severity">` +
    `<title>Violations per run by severity</title>${axis}${bars}</svg>` +
    `<figcaption>Violations per run (last ${points.length} succeeded runs of this scan)</figcaption></figure>`
  );
}

function legend(): string {
  return `<ul class="legend">${SEVERITIES.map((s) => `<li><span class="sw-${s}"></span>${s}</li>`).join('')}</ul>`;
}

function findingRow(f: Finding): string {
  const where = f.proto && f.port ? `${f.proto}/${f.port}` : '';
  const host = f.host && f.host !== f.address ? `${f.address} (${f.host})` : f.address;
  const waiver = f.waiver
    ? `<br>waived by ${escapeHtml(f.waiver.owner)} until ${escapeHtml(f.waiver.expiresAt)}: ${escapeHtml(f.waiver.reason)}`
    : '';
  return (
    `<tr><td><span class="sev sev-${f.severity}">${f.severity}</span></td>` +
    `<td>${escapeHtml(f.rule)}</td><td>${escapeHtml(host)}</td><td>${where}</td>` +
    `<td>${f.status}</td><td>${escapeHtml(f.title)}${waiver}</td>` +
    `<td class="evidence">${escapeHtml(evidenceLine(f.evidence))}</td></tr>`
  );
}

function findingsTable(caption: string, findings: readonly Finding[]): string {
  if (findings.length === 0) return '';
  return (
    `<h2>${escapeHtml(caption)} (${findings.length})</h2><table><thead><tr>` +
    '<th scope="col">Severity</th><th scope="col">Rule</th><th scope="col">Host</th><th scope="col">Port</th>' +
    '<th scope="col">Status</th><th scope="col">Finding</th><th scope="col">Evidence</th>' +
    `</tr></thead><tbody>${findings.map(findingRow).join('')}</tbody></table>`
  );
}

/**
 * The auditor's report: one self-contained HTML file (inline CSS and SVG, no script, no external
 * reference) with the summary, the charts and every finding with its evidence, laid out for A4 print.
 */
export function renderHtml(
  report: Report,
  opts: { version: string; trend?: readonly TrendPoint[]; generatedAt?: Date },
): string {
  const { run, summary, delta } = report;
  const policy = run.policy
    ? `${run.policy.name}${run.policy.version ? ` ${run.policy.version}` : ''}`
    : 'none';
  const title = `fleetqry report — run #${run.number}`;
  const cards: Array<[string, number]> = [
    ['violations', summary.violations],
    ['hosts with violations', summary.hostsWithViolations],
    ['new', delta.new],
    ['resolved', delta.resolved],
    ['persisting', delta.persisting],
    ['waived', delta.waived],
  ];
  const filters = report.filters && Object.keys(report.filters).length ? report.filters : undefined;
  const byRule = summary.byRule.length
    ? '<table><thead><tr><th scope="col">Rule</th><th scope="col">Severity</th><th scope="col" class="num">Findings</th><th scope="col" class="num">Hosts</th></tr></thead><tbody>' +
      summary.byRule
        .map(
          (r) =>
            `<tr><td>${escapeHtml(r.rule)}</td><td><span class="sev sev-${r.severity}">${r.severity}</span></td><td class="num">${r.count}</td><td class="num">${r.hosts}</td></tr>`,
        )
        .join('') +
      '</tbody></table>'
    : '<p>No violations.</p>';
  const violations = report.violations.filter((f) => f.status === 'new' || f.status === 'persisting');
  const body = [
    `<header><h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">Scan ${escapeHtml(run.scan ?? 'ad hoc')} · policy ${escapeHtml(policy)} · ${run.hosts} host(s) · ` +
      `status ${escapeHtml(run.status)} · finished ${escapeHtml(run.finishedAt ?? 'not yet')}` +
      (delta.against ? ` · compared with run #${delta.against.number}` : ' · first run of this scan') +
      '</p>',
    `<p class="meta">${escapeHtml(networkQualityLine(run.network))}</p>`,
    filters ? `<p class="meta">Filters: ${escapeHtml(JSON.stringify(filters))}</p>` : '',
    '</header><main>',
    '<h2>Summary</h2>',
    `<ul class="cards">${cards.map(([k, v]) => `<li><b>${v}</b>${k}</li>`).join('')}</ul>`,
    `<div class="charts">${severityChart(summary.bySeverity)}${trendChart(opts.trend ?? [])}</div>`,
    legend(),
    '<h2>Violations by rule</h2>',
    byRule,
    findingsTable('Violations', violations),
    findingsTable(
      'Resolved since the previous run',
      report.violations.filter((f) => f.status === 'resolved'),
    ),
    findingsTable(
      'Waived',
      report.violations.filter((f) => f.status === 'waived'),
    ),
    '</main>',
    `<footer>Generated by fleetqry ${escapeHtml(opts.version)} at ${(opts.generatedAt ?? new Date()).toISOString()}.</footer>`,
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
