#!/bin/bash
# fleetqry fleet lab: a simulated fleet of real Debian daemons on loopback addresses.
#   bash tools/lab/lab.sh install|up|down [--purge]|check|status|env|config
# Env: LAB_NET (127.30.0), LAB_HOSTS (64, 16..250), LAB_STATE (/tmp/fleetqry-lab), VERBOSE=1 for check.
set -euo pipefail
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$LAB_DIR/../.." && pwd)"
# shellcheck source=lib/env.sh
source "$LAB_DIR/lib/env.sh"

tsx() {
  local bin="$ROOT/node_modules/.bin/tsx"
  [ -x "$bin" ] || { echo "lab: $bin not found (run npm install in $ROOT first)" >&2; exit 1; }
  "$bin" "$LAB_DIR/src/main.ts" "$@"
}

need_root() { [ "$(id -u)" = 0 ] || { echo "lab: '$1' needs root (nft, ip addr, ports < 1024)" >&2; exit 1; }; }

cmd="${1:-}"
shift || true
case "$cmd" in
  install)
    bash "$LAB_DIR/lib/install.sh" ;;
  up)
    need_root up
    bash "$LAB_DIR/lib/install.sh" --quiet
    exec 9>"/tmp/.fleetqry-lab-${LAB_TABLE}.lock"
    flock -w 120 9 || { echo "lab: another up/down is running" >&2; exit 1; }
    tsx up ;;
  down)
    need_root down
    exec 9>"/tmp/.fleetqry-lab-${LAB_TABLE}.lock"
    flock -w 120 9 || { echo "lab: another up/down is running" >&2; exit 1; }
    tsx down "$@" ;;
  check) tsx check ;;
  config) tsx config ;;
  status) tsx status ;;
  env)
    dns=""
    if [ -f "$LAB_STATE/ground-truth.json" ]; then
      dns=$(sed -n 's/^ *"dnsServer": "\(.*\)",$/\1/p' "$LAB_STATE/ground-truth.json" | head -1)
    fi
    echo "LAB_NET=$LAB_NET"
    echo "LAB_HOSTS=$LAB_HOSTS"
    echo "LAB_STATE=$LAB_STATE"
    echo "LAB_GROUND_TRUTH=$LAB_STATE/ground-truth.json"
    echo "LAB_CONFIG=$LAB_STATE/fleetqry.config.yaml"
    echo "LAB_DNS_SERVER=${dns:-$LAB_NET.7}"
    echo "LAB_DOMAIN=lab.fleetqry.test"
    echo "LAB_NFT_TABLE=inet $LAB_TABLE" ;;
  *)
    echo "usage: bash tools/lab/lab.sh install|up|down [--purge]|check|status|env|config" >&2
    exit 2 ;;
esac
