#!/bin/bash
# Install the Debian packages the fleet lab runs (root; idempotent; a no-op when all are present).
# Daemons must not auto-start on their default addresses: a temporary policy-rc.d returns 101.
set -euo pipefail
PKGS=(
  snmpd snmp slapd ldap-utils samba smbclient dnsmasq nginx-light libnginx-mod-http-headers-more-filter
  lighttpd openssh-server openssh-client dropbear-bin socat nftables iptables iproute2 procps dnsutils
  netcat-openbsd curl jq redis-server redis-tools nmap onesixtyone openssl python3 vsftpd
  dovecot-imapd dovecot-pop3d opensmtpd busybox-static samba-ad-provision samba-dsdb-modules samba-vfs-modules docker-compose chrony tftpd-hpa xl2tpd strongswan-charon
)
missing=()
for p in "${PKGS[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  [ "${1:-}" = --quiet ] || echo "install: all ${#PKGS[@]} packages present"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install: need root to install: ${missing[*]}" >&2; exit 1; }
echo "install: missing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# fleetqry lab install: do not start daemons\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef \
  -o Dpkg::Options::=--force-confold "${missing[@]}"
echo "install: done"
