#!/bin/bash
# The loss benchmark (tools/bench/loss/main.ts) on a lab instance of its own: 100 hosts on 127.17.17.0/24 by
# default, never the shared default lab (127.30.0), because loss.sh degrades every address of the /24.
#   bash tools/bench/loss/run.sh                         # RUNS=2, LOSSES=1,5
#   RUNS=3 LOSSES=5 bash tools/bench/loss/run.sh
# Env: LOSS_LAB_NET (127.17.17), LOSS_LAB_STATE (/tmp/fleetqry-lab-loss), LOSS_LAB_HOSTS (100), RUNS, LOSSES,
#      LIMIT (300 s per scanner run), OUT (a trial directory instead of tools/bench/results/loss-<time>).
# The lab instance is brought up if it is down and taken down again at the end (trap), so it is left as found.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
[ "$(id -u)" = 0 ] || { echo "loss bench: needs root (nft, nmap -sS, the lab)" >&2; exit 1; }
for t in nmap nft timeout; do command -v "$t" >/dev/null || { echo "loss bench: $t not found" >&2; exit 1; }; done
[ -x /usr/bin/time ] || { echo "loss bench: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
# Always measure HEAD as it is checked out: a stale build would be recorded under the wrong commit.
echo "loss bench: building fleetqry at $(git rev-parse --short HEAD) (npm run build)"
npm run --silent build

export LAB_NET="${LOSS_LAB_NET:-127.17.17}"
export LAB_STATE="${LOSS_LAB_STATE:-/tmp/fleetqry-lab-loss}"
export LAB_HOSTS="${LOSS_LAB_HOSTS:-100}"
if [ "$LAB_NET" = 127.30.0 ]; then
  echo "loss bench: 127.30.0 is the shared lab; give the bench its own LOSS_LAB_NET" >&2
  exit 2
fi

set +e
bash tools/lab/lab.sh status
st=$?
set -e
if [ "$st" = 3 ]; then
  bash tools/lab/lab.sh up
  trap 'echo "loss bench: taking its lab instance down again"; bash tools/lab/lab.sh down' EXIT
elif [ "$st" != 0 ]; then
  echo "loss bench: the lab instance $LAB_NET is only partly up (lab.sh down && lab.sh up)" >&2
  exit 2
fi
"$ROOT/node_modules/.bin/tsx" tools/bench/loss/main.ts
