/**
 * `npx tsx tools/deploy/render.ts [-f values.yaml]… [--name RELEASE] [--namespace NS] [--upgrade]`:
 * prints the chart's manifests like `helm template` (with helm-lite; see helm/fleetqry/README.md).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { renderChart } from './helm-lite/chart.js';

const { values } = parseArgs({
  options: {
    values: { type: 'string', short: 'f', multiple: true },
    name: { type: 'string' },
    namespace: { type: 'string', short: 'n' },
    upgrade: { type: 'boolean' },
    chart: { type: 'string' },
  },
});
const chartDir =
  values.chart ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'helm', 'fleetqry');
try {
  const r = renderChart(chartDir, {
    valuesFiles: values.values ?? [],
    ...(values.name ? { releaseName: values.name } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    isUpgrade: Boolean(values.upgrade),
  });
  for (const [file, text] of r.files) {
    if (!text.trim()) continue;
    process.stdout.write(`---\n# Source: fleetqry/${file}\n${text.replace(/^\s*\n/, '')}\n`);
  }
} catch (error) {
  process.stderr.write(`render: ${(error as Error).message}\n`);
  process.exit(1);
}
