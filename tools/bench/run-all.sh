#!/bin/bash
# fleetqry benchmarks (issue 2): fleetqry and the reference scanners on the project's fleet lab, scored
# against its ground truth. Entry of `npm run bench`.
#   bash tools/bench/run-all.sh [tcp-syn] [tcp-connect] [tcp] [udp] [snmp] [banners]   (default: all; tcp = both)
# Builds HEAD first (npm run build) and records the exact commit.
# Env: RUNS (3), LIMIT (600 s per scanner run), FLEETQRY_ARGS (extra CLI args),
#      LAB_AUTO=0 (do not bring a stopped lab up; by default it is brought up and taken down again at the end).
# Results: tools/bench/results/<timestamp>/summary.md + summary.json, copied to tools/bench/results/latest.md.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/../.." && pwd)"
LAB="$ROOT/tools/lab/lab.sh"
cd "$ROOT"

for t in nmap onesixtyone timeout node; do
  command -v "$t" >/dev/null || { echo "bench: $t not found (apt-get install nmap onesixtyone)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
[ -x "$ROOT/node_modules/.bin/tsx" ] || { echo "bench: tsx not found (npm ci first)" >&2; exit 1; }

# Always measure HEAD as it is checked out: a stale build would be recorded under the wrong commit.
echo "bench: building fleetqry at $(git rev-parse --short HEAD) (npm run build)"
npm run --silent build

# The lab: use it if it is up, bring it up (and down again afterwards) if it is down, refuse a half-up lab.
started_lab=0
set +e
bash "$LAB" status
st=$?
set -e
case $st in
  0) ;;
  3)
    if [ "${LAB_AUTO:-1}" != 1 ]; then echo "bench: the lab is down (bash tools/lab/lab.sh up)" >&2; exit 2; fi
    [ "$(id -u)" = 0 ] || { echo "bench: the lab is down and bringing it up needs root" >&2; exit 2; }
    bash "$LAB" up
    started_lab=1
    trap 'echo "bench: taking the lab down again (it was down before)"; bash "$LAB" down' EXIT
    ;;
  *) echo "bench: the lab is only partly up (see above); fix it with lab.sh down && lab.sh up" >&2; exit 2 ;;
esac

# Lab settings (KEY=VALUE lines; values may contain spaces, so no eval).
while IFS= read -r line; do
  case "$line" in
    LAB_NET=* | LAB_GROUND_TRUTH=* | LAB_NFT_TABLE=* | LAB_DNS_SERVER=*) export "${line%%=*}=${line#*=}" ;;
  esac
done < <(bash "$LAB" env)
[[ "${LAB_NET:-}" =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || { echo "bench: LAB_NET=${LAB_NET:-?} is not on 127.0.0.0/8" >&2; exit 3; }

set +e
"$ROOT/node_modules/.bin/tsx" "$BENCH_DIR/src/main.ts" "$@"
rc=$?
set -e
exit $rc
