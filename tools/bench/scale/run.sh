#!/bin/bash
# Scale benchmarks (issue 10): every figure of items 1-8 next to its goal, in one results directory.
#   bash tools/bench/scale/run.sh [sweep] [distributed] [dispatch] [reports] [retention]   (default: all)
# Builds HEAD first (npm run build; results record the exact commit).
# Env: RUNS (2), OUT (results dir; default tools/bench/results/scale-<timestamp>).
# Probes go only to 127.78.0.0/16 (loopback; every address answers RST), never to port 2024.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
npm run --silent build
export OUT="${OUT:-$ROOT/tools/bench/results/scale-$(date -u +%Y%m%dT%H%M%S)}"
mkdir -p "$OUT"
benches=("$@")
[ ${#benches[@]} -eq 0 ] && benches=(sweep distributed dispatch reports retention)
for b in "${benches[@]}"; do
  echo "== $b"
  npx tsx "tools/bench/scale/$b.ts"
done
npx tsx tools/bench/scale/summary.ts "$OUT"
rm -rf "$OUT/raw"
