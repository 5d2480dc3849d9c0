import {
  dashboardExpressions,
  exposedNames,
  parseSamples,
  selectedMetrics,
  sumOf,
} from './prometheus-text.js';

describe('selectedMetrics (PromQL)', () => {
  test('names every selector, through functions, aggregations, binary operators and subqueries', () => {
    const expr = `histogram_quantile(0.95, sum by (le) (rate(a_seconds_bucket{x="1"}[5m])))
      unless on () (sum(rate(b_total[$__rate_interval])) > 0) or max_over_time(c[1h:1m]) / ignoring (q) d`;
    expect(selectedMetrics(expr).sort()).toEqual(['a_seconds_bucket', 'b_total', 'c', 'd']);
  });

  test('label names, functions and keywords are not metric names', () => {
    expect(selectedMetrics('sum by (state, proto) (rate(x_total{state="LISTENING"}[5m]))')).toEqual([
      'x_total',
    ]);
  });

  test('a syntax error is an error naming the expression', () => {
    expect(() => selectedMetrics('sum(rate(x_total[5m])')).toThrow(
      /^sum\(rate\(x_total\[5m\]\): syntax error/,
    );
  });

  test('a selector without a metric name cannot be checked, so it is refused', () => {
    expect(() => selectedMetrics('{__name__=~"fleetqry_.+"}')).toThrow(/a selector without a metric name/);
  });
});

describe('the text exposition format', () => {
  const text = [
    '# HELP h_seconds Durations',
    '# TYPE h_seconds histogram',
    'h_seconds_bucket{le="1"} 2',
    'h_seconds_bucket{le="+Inf"} 3',
    'h_seconds_sum 1.5',
    'h_seconds_count 3',
    '# TYPE c_total counter',
    'c_total{proto="tcp",state="NOT LISTENING"} 7',
    'c_total{proto="udp",state="say \\"hi\\""} 1',
    '# TYPE idle_total counter',
    '',
  ].join('\n');

  test('exposedNames: declared families, a histogram with its three series, an idle counter too', () => {
    expect([...exposedNames(text)].sort()).toEqual([
      'c_total',
      'h_seconds_bucket',
      'h_seconds_count',
      'h_seconds_sum',
      'idle_total',
    ]);
  });

  test('parseSamples and sumOf: labels unescaped, sums by label match', () => {
    const samples = parseSamples(text);
    expect(samples).toHaveLength(6);
    expect(samples[5]).toEqual({ name: 'c_total', labels: { proto: 'udp', state: 'say "hi"' }, value: 1 });
    expect(sumOf(samples, 'c_total')).toBe(8);
    expect(sumOf(samples, 'c_total', { state: 'NOT LISTENING' })).toBe(7);
    expect(sumOf(samples, 'missing')).toBe(0);
  });
});

test('dashboardExpressions walks panels nested in rows', () => {
  const dashboard = {
    panels: [
      { title: 'a', targets: [{ expr: 'x' }, { expr: 'y' }] },
      { title: 'row', type: 'row', panels: [{ title: 'b', targets: [{ expr: 'z' }, {}] }] },
    ],
  };
  expect(dashboardExpressions(dashboard)).toEqual([
    { panel: 'a', expr: 'x' },
    { panel: 'a', expr: 'y' },
    { panel: 'b', expr: 'z' },
  ]);
});
