#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (playwright-core drives /usr/bin/chromium; Playwright's
# own browser download cannot work offline). Idempotent: a no-op when it is installed.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
[ "$(id -u)" = 0 ] || { echo "install-chromium: need root to apt-get install chromium" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium
