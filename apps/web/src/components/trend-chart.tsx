import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import type { TrendPoint } from '../api/types';
import { SEVERITIES, SEVERITY_COLORS } from './severity';

/**
 * Violations per run by severity (uPlot, canvas). The numbers are also in a table beside it, so the chart
 * is not the only way to read them (screen readers, keyboard).
 */
export function TrendChart({ points }: { points: TrendPoint[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || points.length === 0) return;
    const x = points.map((p) => p.run.number);
    const data: uPlot.AlignedData = [x, ...SEVERITIES.map((s) => points.map((p) => p.bySeverity[s] ?? 0))];
    const plot = new uPlot(
      {
        width: Math.max(320, Math.min(760, el.clientWidth || 640)),
        height: 220,
        legend: { show: false },
        cursor: { show: true },
        scales: { x: { time: false } },
        axes: [
          { label: 'run', values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? `#${t}` : '')) },
          { label: 'violations' },
        ],
        series: [
          {},
          ...SEVERITIES.map((s) => ({
            label: s,
            stroke: SEVERITY_COLORS[s],
            width: 2,
            points: { show: true, size: 5 },
          })),
        ],
      },
      data,
      el,
    );
    return () => plot.destroy();
  }, [points]);
  if (points.length === 0) return <p className="muted">No finished runs yet.</p>;
  return (
    <figure className="chart">
      <div ref={ref} role="img" aria-label="Violations per run by severity" />
      <figcaption>
        <ul className="legend">
          {SEVERITIES.map((s) => (
            <li key={s}>
              <span className={`swatch sw-${s}`} aria-hidden="true" />
              {s}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
