#!/usr/bin/env bash
# Stops the peers that scripts/peers/start.sh started from STATE_DIR (default:
# <repo>/target/peers) and waits until they are gone. Only processes started
# with that STATE_DIR's config are touched; a no-op when none runs.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
STATE_DIR=${1:-$REPO_ROOT/target/peers}
# Made absolute without needing the directory to still exist (mvn clean).
case "$STATE_DIR" in /*) ;; *) STATE_DIR=$PWD/$STATE_DIR ;; esac
STATE_DIR=$(realpath -m "$STATE_DIR")

read_pid() { [ -s "$1" ] && tr -d ' \n' <"$1"; }

# Waits up to SECONDS for PID to exit.
wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [ -d "/proc/$1" ] || return 0
    sleep 0.1
  done
  return 1
}
# SIGTERM, then SIGKILL if it will not go.
end_pid() { # pid seconds
  kill -TERM "$1" 2>/dev/null || return 0
  wait_gone "$1" "$2" || { kill -KILL "$1" 2>/dev/null || true; wait_gone "$1" 5 || true; }
}

# Is PID our NSD? NSD renames its processes "nsd: main", "nsd: xfrd", ...; ours
# has our config file in its argv. (Guards against a stale pid file whose pid
# now belongs to someone else.)
nsd_conf=$STATE_DIR/dns/nsd.conf
is_our_nsd() {
  [ -n "$1" ] && [ -r "/proc/$1/comm" ] && [[ "$(cat "/proc/$1/comm" 2>/dev/null)" == nsd* ]] \
    && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "-c $nsd_conf"
}
# Is PID our Postfix master? The postfix command hands the master its config
# directory in MAIL_CONFIG (argv carries none).
pf_etc=$STATE_DIR/postfix/etc
[ -e "$pf_etc" ] && pf_etc=$(readlink -f "$pf_etc")   # may be a symlink into /var/spool
is_our_master() {
  [ -n "$1" ] && [ -r "/proc/$1/comm" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = master ] \
    && tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF "MAIL_CONFIG=$pf_etc"
}

stopped=()

# NSD: the recorded pid; if the pid file is gone (e.g. mvn clean removed
# target/), look for the processes running our config file.
nsd_pid=$(read_pid "$STATE_DIR/dns/nsd.pid" || true)
if is_our_nsd "$nsd_pid"; then
  end_pid "$nsd_pid" 10      # it stops its own children
  stopped+=("nsd $nsd_pid")
fi
for proc in /proc/[0-9]*; do
  pid=${proc#/proc/}
  if is_our_nsd "$pid"; then end_pid "$pid" 10; stopped+=("nsd $pid"); fi
done

# Postfix: "postfix -c DIR stop" acts on this instance only; the master then
# terminates its own children. Without a usable config, SIGTERM the master.
pf_pid=""
if [ -f "$pf_etc/main.cf" ]; then
  pf_pid=$(read_pid "$(postconf -c "$pf_etc" -h queue_directory 2>/dev/null)/pid/master.pid" || true)
fi
if ! is_our_master "$pf_pid"; then
  pf_pid=""
  for proc in /proc/[0-9]*; do
    if is_our_master "${proc#/proc/}"; then pf_pid=${proc#/proc/}; break; fi
  done
fi
if [ -n "$pf_pid" ]; then
  postfix -c "$pf_etc" stop >/dev/null 2>&1 || kill -TERM "$pf_pid" 2>/dev/null || true
  wait_gone "$pf_pid" 15 || end_pid "$pf_pid" 5
  stopped+=("postfix $pf_pid")
fi

# The pids in peers.env are dead now: a stale file must not look like live peers.
rm -f "$STATE_DIR/peers.env"

if [ "${#stopped[@]}" -eq 0 ]; then
  echo "peers: nothing running from $STATE_DIR"
else
  echo "peers: stopped ${stopped[*]} ($STATE_DIR)"
fi
