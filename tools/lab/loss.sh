#!/bin/bash
# Random packet loss on given loopback addresses, for tests and benchmarks of lossy networks:
#   bash tools/lab/loss.sh run PERCENT CIDR[,CIDR...] [--filter-tcp PORTS] -- COMMAND [ARGS...]
#   bash tools/lab/loss.sh on PERCENT CIDR[,CIDR...] [--filter-tcp PORTS]
#   bash tools/lab/loss.sh off | status
# `run` is the safe form: the table goes away when COMMAND ends, fails or is interrupted (trap).
# Each packet to or from the CIDRs is dropped with PERCENT % probability (nft `numgen random mod 100 < N
# drop` on the input hook, where loopback traffic of both directions passes), so each direction loses
# PERCENT %. `--filter-tcp 21,23` also drops every packet to those TCP ports (a firewall: FILTERED ports).
# Env: LOSS_TAG (default "default"): the table is `inet fqloss_<tag>`, so several users do not clash.
# Only 127.0.0.0/8 ranges of /16 or narrower, never in 127.0.0.0/16 (127.0.0.1 holds Postgres, Redis and
# every other local service).
set -euo pipefail

tag="${LOSS_TAG:-default}"
[[ "$tag" =~ ^[a-z0-9_]{1,32}$ ]] || { echo "loss: LOSS_TAG=$tag must be [a-z0-9_]{1,32}" >&2; exit 2; }
table="fqloss_$tag"

usage() {
  echo "usage: bash tools/lab/loss.sh run PERCENT CIDRS [--filter-tcp PORTS] -- COMMAND... | on PERCENT CIDRS [--filter-tcp PORTS] | off | status" >&2
  exit 2
}

need_root() { [ "$(id -u)" = 0 ] || { echo "loss: nft needs root" >&2; exit 1; }; }

# A loopback range that is safe to degrade: 127.x.y.z/p with 16 <= p <= 32, not covering 127.0.0.1.
check_cidr() {
  local c="$1"
  [[ "$c" =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})$ ]] \
    || { echo "loss: $c is not a 127.x.y.z/prefix range" >&2; exit 2; }
  local b="${BASH_REMATCH[1]}" c3="${BASH_REMATCH[2]}" d="${BASH_REMATCH[3]}" p="${BASH_REMATCH[4]}"
  for o in "$b" "$c3" "$d"; do [ "$o" -le 255 ] || { echo "loss: $c: octet $o > 255" >&2; exit 2; }; done
  [ "$p" -ge 16 ] && [ "$p" -le 32 ] || { echo "loss: $c: prefix must be /16../32" >&2; exit 2; }
  if [ "$b" = 0 ]; then
    echo "loss: $c is in 127.0.0.0/16, where the machine's own services live" >&2
    exit 2
  fi
}

apply() {
  local percent="$1" cidrs="$2" filter="$3"
  [[ "$percent" =~ ^[0-9]{1,2}$ ]] || { echo "loss: PERCENT must be 0..99" >&2; exit 2; }
  local set="" c
  IFS=',' read -r -a list <<<"$cidrs"
  [ "${#list[@]}" -gt 0 ] || usage
  for c in "${list[@]}"; do
    check_cidr "$c"
    set="${set:+$set, }$c"
  done
  local firewall=""
  if [ -n "$filter" ]; then
    [[ "$filter" =~ ^[0-9]{1,5}(,[0-9]{1,5})*$ ]] || { echo "loss: --filter-tcp takes ports like 21,23" >&2; exit 2; }
    firewall="ip daddr { $set } tcp dport { $filter } drop"
  fi
  # Atomic: create-or-keep, delete, recreate.
  nft -f - <<EOF
table inet $table {}
delete table inet $table
table inet $table {
  chain input {
    type filter hook input priority -20; policy accept;
    $firewall
    ip daddr { $set } numgen random mod 100 < $percent counter drop comment "loss towards the targets"
    ip saddr { $set } numgen random mod 100 < $percent counter drop comment "loss from the targets"
  }
}
EOF
}

remove() { nft delete table inet "$table" 2>/dev/null || true; }

cmd="${1:-}"
shift || true
case "$cmd" in
  on | run)
    need_root
    [ $# -ge 2 ] || usage
    percent="$1" cidrs="$2"
    shift 2
    filter=""
    if [ "${1:-}" = --filter-tcp ]; then
      [ $# -ge 2 ] || usage
      filter="$2"
      shift 2
    fi
    if [ "$cmd" = on ]; then
      apply "$percent" "$cidrs" "$filter"
      exit 0
    fi
    [ "${1:-}" = -- ] && [ $# -ge 2 ] || usage
    shift
    trap remove EXIT
    trap 'exit 130' INT TERM
    apply "$percent" "$cidrs" "$filter"
    set +e
    "$@"
    rc=$?
    set -e
    exit $rc
    ;;
  off)
    need_root
    remove ;;
  status)
    nft list table inet "$table" 2>/dev/null || { echo "loss: no table inet $table"; exit 3; } ;;
  *) usage ;;
esac
