#!/bin/bash
# The v1/v2c community sweep, fleetqry's own codec against net-snmp's Session (tools/bench/snmp-codec/main.ts),
# on the shared fleet lab's SNMP agents (127.30.0.0/26; the lab must be up: lab.sh check). It runs the
# current source through tsx (no build step, so nothing stale is measured) and records the commit.
#   bash tools/bench/snmp-codec/run.sh          # RUNS=3
#   RUNS=5 CONCURRENCY=4 OUT=/tmp/try bash tools/bench/snmp-codec/run.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
[ -f "${LAB_STATE:-/tmp/fleetqry-lab}/ground-truth.json" ] || { echo "snmp-codec bench: the lab is not up" >&2; exit 2; }
exec "$ROOT/node_modules/.bin/tsx" tools/bench/snmp-codec/main.ts
