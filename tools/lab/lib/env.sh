# Sourced by lab.sh: lab settings, validated so the lab can only ever live on loopback.
LAB_NET="${LAB_NET:-127.30.0}"
LAB_HOSTS="${LAB_HOSTS:-64}"
LAB_STATE="${LAB_STATE:-/tmp/fleetqry-lab}"
if ! [[ "$LAB_NET" =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || [ "$LAB_NET" = 127.0.0 ] \
  || [ "${BASH_REMATCH[1]}" -gt 255 ] || [ "${BASH_REMATCH[2]}" -gt 255 ]; then
  echo "LAB_NET=$LAB_NET must be a 127.x.y prefix other than 127.0.0 (loopback only)" >&2
  exit 2
fi
if ! [[ "$LAB_HOSTS" =~ ^[0-9]+$ ]] || [ "$LAB_HOSTS" -lt 16 ] || [ "$LAB_HOSTS" -gt 250 ]; then
  echo "LAB_HOSTS=$LAB_HOSTS must be 16..250" >&2
  exit 2
fi
case "$LAB_STATE" in /*) ;; *) LAB_STATE="$PWD/$LAB_STATE" ;; esac
LAB_TABLE="fqlab_${LAB_NET//./_}"
export LAB_NET LAB_HOSTS LAB_STATE LAB_TABLE
