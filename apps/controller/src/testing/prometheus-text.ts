// Test-only: reading what Prometheus and Grafana consume — the text exposition format of /metrics, and the
// metric names PromQL expressions select (parsed with Prometheus's own Lezer grammar, as its UI does).
import { parser } from '@prometheus-io/lezer-promql';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a text exposition (comments skipped, label values unescaped). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL))
      labels[k!] = v!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of the samples of one metric whose labels include `match` (0 when there are none). */
export function sumOf(samples: readonly Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

const SERIES_SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/**
 * Every series name the exposition declares (from its TYPE lines, so a labelled counter that has not counted
 * yet is there too): a histogram's `_bucket`, `_sum` and `_count`.
 */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm))
    for (const suffix of SERIES_SUFFIXES[type!] ?? ['']) names.add(`${name}${suffix}`);
  return names;
}

/**
 * The metric names a PromQL expression selects. A syntax error, or a selector without a metric name
 * (`{__name__=~"…"}`, which no check could follow), is an error naming the expression.
 */
export function selectedMetrics(expr: string): string[] {
  // Grafana's interval variables stand for durations.
  const promql = expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');
  const names = new Set<string>();
  const problems: string[] = [];
  parser.parse(promql).iterate({
    enter(node) {
      if (node.type.isError) problems.push(`syntax error at ${node.from}`);
      if (node.name !== 'VectorSelector') return;
      const id = node.node.getChild('Identifier');
      if (id) names.add(promql.slice(id.from, id.to));
      else problems.push(`a selector without a metric name: ${promql.slice(node.from, node.to)}`);
    },
  });
  if (problems.length > 0) throw new Error(`${expr}: ${problems.join('; ')}`);
  return [...names];
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every PromQL expression of a Grafana dashboard (panels inside rows too), with its panel's title. */
export function dashboardExpressions(dashboard: { panels?: Panel[] }): { panel: string; expr: string }[] {
  const walk = (panels: Panel[] = []): { panel: string; expr: string }[] =>
    panels.flatMap((p) => [
      ...(p.targets ?? []).flatMap((t) => (t.expr ? [{ panel: p.title ?? '(untitled)', expr: t.expr }] : [])),
      ...walk(p.panels),
    ]);
  return walk(dashboard.panels);
}
