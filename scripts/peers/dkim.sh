#!/usr/bin/env bash
# The DKIM verifier harness: two independent Debian verifiers, dkimpy's dkimverify and
# OpenDKIM's opendkim-testmsg, find the test public keys (zone dkim.example, from
# scripts/peers/dkim/dkim.example.zone; keys in src/test/resources/dkim/) through the
# system resolver on port 53, without touching the host's resolver:
#
#   scripts/peers/dkim.sh install            # apt-get what is missing
#   scripts/peers/dkim.sh start [STATE_DIR]  # default <repo>/target/peers
#   scripts/peers/dkim.sh stop  [STATE_DIR]
#
# start creates the network namespace directmx-dkim (loopback only), gives it
# /etc/netns/directmx-dkim/resolv.conf (nameserver 127.0.0.1; `ip netns exec` bind-mounts it
# over /etc/resolv.conf) and runs NSD inside it on 127.0.0.1:53 (and [::1]:53), authoritative
# for dkim.example. The verifiers then run as `ip netns exec directmx-dkim dkimverify ...`
# (src/test/java/dev/directmx/dkim/ExternalVerifiers.java). Config, zone, log and pid file
# live in STATE_DIR/dkim; start writes STATE_DIR/dkim.env (set -a; . dkim.env; set +a).
# The namespace name is fixed: one harness per machine. start first clears a leftover
# namespace (its NSD processes, by PID), so it is idempotent after an unclean stop.
# Needs root (apt-get, ip netns).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
NETNS=directmx-dkim
NETNS_ETC=/etc/netns/$NETNS
ZONE=dkim.example
ZONE_FILE=$SCRIPT_DIR/dkim/$ZONE.zone
PROBE_NAME=ed2026._domainkey.$ZONE
WAIT_SECONDS=30
# Debian's python3 (python3-dkim, python3-dnspython), not whatever python3 is first on PATH.
PY=/usr/bin/python3

usage() { echo "usage: $0 install | start [STATE_DIR] | stop [STATE_DIR]" >&2; exit 64; }
[ $# -ge 1 ] || usage
ACTION=$1
shift

if [ "$(id -u)" -ne 0 ]; then
  echo "dkim.sh: must run as root (apt-get, ip netns)" >&2
  exit 1
fi

#################################################################### install
install_packages() {
  # NSD, dig and ip come from install.sh.
  if [ ! -x /usr/sbin/nsd ] || [ ! -x /usr/sbin/ip ]; then
    bash "$SCRIPT_DIR/install.sh"
  fi
  # package -> a file that proves it is usable. Not the opendkim daemon package: only the
  # tools (opendkim-testmsg) and libopendkim.
  declare -A probes=(
    [python3-dkim]=/usr/bin/dkimverify
    [python3-nacl]=/usr/lib/python3/dist-packages/nacl/signing.py
    [opendkim-tools]=/usr/sbin/opendkim-testmsg
  )
  local missing=() pkg
  for pkg in "${!probes[@]}"; do
    if ! dpkg -s "$pkg" >/dev/null 2>&1 || [ ! -e "${probes[$pkg]}" ]; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "dkim/install: python3-dkim, python3-nacl, opendkim-tools already installed"
    return 0
  fi
  echo "dkim/install: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  # apt-get update only when the package lists do not have them (yet).
  if ! "${apt[@]}" install --no-install-recommends "${missing[@]}"; then
    echo "dkim/install: not installable from the current package lists; apt-get update"
    "${apt[@]}" update
    "${apt[@]}" install --no-install-recommends "${missing[@]}"
  fi
  echo "dkim/install: done"
}

if [ "$ACTION" = install ]; then
  install_packages
  exit 0
fi
case "$ACTION" in start | stop) ;; *) usage ;; esac

################################################################# state paths
STATE_DIR=${1:-$REPO_ROOT/target/peers}
case "$STATE_DIR" in /*) ;; *) STATE_DIR=$PWD/$STATE_DIR ;; esac
STATE_DIR=$(realpath -m "$STATE_DIR")
DKIM_DIR=$STATE_DIR/dkim
PID_FILE=$DKIM_DIR/nsd.pid
ENV_FILE=$STATE_DIR/dkim.env

read_pid() { [ -s "$1" ] && tr -d ' \n' <"$1"; }
gone() { # pid: no such process, or a zombie
  [ ! -d "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    gone "$1" && return 0
    sleep 0.1
  done
  return 1
}
end_pid() { # pid seconds: SIGTERM, then SIGKILL if it will not go
  kill -TERM "$1" 2>/dev/null || return 0
  wait_gone "$1" "$2" || { kill -KILL "$1" 2>/dev/null || true; wait_gone "$1" 5 || true; }
}
is_nsd() { # pid: an NSD process (NSD names its processes "nsd", "nsd: xfrd", ...)
  [ -n "$1" ] && [[ "$(cat "/proc/$1/comm" 2>/dev/null)" == nsd* ]]
}
# Output captured, not piped into grep -q (under pipefail an early exit can fail the producer).
netns_exists() { local names; names=$(ip netns list | awk '{print $1}'); grep -qxF "$NETNS" <<<"$names"; }

# Stops the NSD recorded in STATE_DIR, then every NSD left in the namespace (an unclean
# stop, another STATE_DIR, mvn clean removed the pid file), each by PID, then deletes the
# namespace and its /etc/netns directory. A no-op when nothing is there.
stop_all() {
  local stopped=() pid
  pid=$(read_pid "$PID_FILE" || true)
  if is_nsd "$pid" && [ "$(ip netns identify "$pid" 2>/dev/null)" = "$NETNS" ]; then
    end_pid "$pid" 10     # the main process stops its own children
    stopped+=("nsd $pid")
  fi
  if netns_exists; then
    for pid in $(ip netns pids "$NETNS" 2>/dev/null); do
      if is_nsd "$pid"; then end_pid "$pid" 10; stopped+=("nsd $pid"); fi
    done
    local left
    left=$(ip netns pids "$NETNS" 2>/dev/null | tr '\n' ' ')
    [ -z "$left" ] || echo "dkim: warning: processes still in namespace $NETNS: $left" >&2
    ip netns delete "$NETNS"
    stopped+=("netns $NETNS")
  fi
  if [ -d "$NETNS_ETC" ]; then
    rm -rf "$NETNS_ETC"
    stopped+=("$NETNS_ETC")
  fi
  rm -f "$ENV_FILE" "$PID_FILE"
  if [ "${#stopped[@]}" -eq 0 ]; then
    echo "dkim: nothing running"
  else
    echo "dkim: stopped ${stopped[*]}"
  fi
}

if [ "$ACTION" = stop ]; then
  stop_all
  exit 0
fi

###################################################################### start
for tool in nsd nsd-checkconf nsd-checkzone ip; do
  command -v "$tool" >/dev/null || { echo "dkim.sh: $tool missing; run scripts/peers/install.sh" >&2; exit 1; }
done
for tool in dkimverify opendkim-testmsg; do
  command -v "$tool" >/dev/null || { echo "dkim.sh: $tool missing; run scripts/peers/dkim.sh install" >&2; exit 1; }
done

stop_all >/dev/null
rm -rf "$DKIM_DIR"
mkdir -p "$DKIM_DIR/xfr"

fail() {
  echo "dkim.sh: $*" >&2
  echo "----- $DKIM_DIR/nsd.log" >&2
  tail -n 40 "$DKIM_DIR/nsd.log" >&2 2>/dev/null || true
  stop_all >&2 || true
  exit 1
}

echo "dkim: network namespace $NETNS"
ip netns add "$NETNS"
ip -n "$NETNS" link set lo up
mkdir -p "$NETNS_ETC"
printf '# Written by scripts/peers/dkim.sh: NSD in this namespace serves %s.\nnameserver 127.0.0.1\noptions timeout:2 attempts:2\n' \
  "$ZONE" >"$NETNS_ETC/resolv.conf"

# [::1] too when the namespace has IPv6 on loopback.
listen="    ip-address: 127.0.0.1"
do_ip6=no
ns_lo6=$(ip -n "$NETNS" -6 addr show dev lo 2>/dev/null || true)
if [[ $ns_lo6 == *"inet6 ::1/"* ]]; then
  listen+=$'\n'"    ip-address: ::1"
  do_ip6=yes
fi

cp "$ZONE_FILE" "$DKIM_DIR/$ZONE.zone"
cat >"$DKIM_DIR/nsd.conf" <<EOF
# Generated by scripts/peers/dkim.sh; rerun it instead of editing.
server:
$listen
    port: 53
    do-ip4: yes
    do-ip6: $do_ip6
    # Root inside the namespace; it only reads and writes under STATE_DIR/dkim.
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$DKIM_DIR"
    zonelistfile: "$DKIM_DIR/zone.list"
    xfrdfile: "$DKIM_DIR/xfrd.state"
    xfrdir: "$DKIM_DIR/xfr"
    pidfile: "$PID_FILE"
    logfile: "$DKIM_DIR/nsd.log"
    server-count: 1
    verbosity: 1
    hide-version: yes
remote-control:
    control-enable: no
zone:
    name: "$ZONE"
    zonefile: "$ZONE.zone"
EOF
nsd-checkconf "$DKIM_DIR/nsd.conf" || fail "nsd.conf is invalid"
nsd-checkzone "$ZONE" "$DKIM_DIR/$ZONE.zone" >/dev/null \
  || fail "zone file is invalid: $(nsd-checkzone "$ZONE" "$DKIM_DIR/$ZONE.zone" 2>&1)"

echo "dkim: NSD on 127.0.0.1:53$([ "$do_ip6" = yes ] && echo ' and [::1]:53') in $NETNS, zone $ZONE"
# nsd forks into the background and writes its pid file.
ip netns exec "$NETNS" nsd -c "$DKIM_DIR/nsd.conf" || fail "nsd did not start"

# Ready when the namespace's resolver (resolv.conf above, via dnspython as dkimpy uses it)
# answers the Ed25519 key record.
probe=(ip netns exec "$NETNS" "$PY" -c "import dns.resolver, sys
a = dns.resolver.resolve('$PROBE_NAME', 'TXT', lifetime=2)
sys.stdout.write(b''.join(a[0].strings).decode())")
answer=""
for ((i = 0; i < WAIT_SECONDS * 5; i++)); do
  pid=$(read_pid "$PID_FILE" || true)
  if [ -n "$pid" ] && gone "$pid"; then fail "nsd (pid $pid) exited"; fi
  if answer=$("${probe[@]}" 2>/dev/null) && [ -n "$answer" ]; then break; fi
  answer=""
  sleep 0.2
done
[ -n "$answer" ] || fail "no answer for $PROBE_NAME TXT inside $NETNS after ${WAIT_SECONDS}s"
pid=$(read_pid "$PID_FILE" || true)
is_nsd "$pid" || fail "no NSD pid in $PID_FILE"
echo "dkim: $PROBE_NAME TXT \"$answer\""

printf 'DIRECTMX_DKIM_NETNS=%s\n' "$NETNS" >"$ENV_FILE"
echo "dkim: ready (nsd pid $pid, $ENV_FILE)"
