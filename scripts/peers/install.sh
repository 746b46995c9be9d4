#!/usr/bin/env bash
# Installs the Debian packages behind the end-to-end peers (scripts/peers/start.sh):
# Postfix as the recipient MTA, NSD as the authoritative DNS server, openssl for the
# self-signed certificate, dig (dnsutils) for the readiness check and debugging,
# and ip/ss (iproute2) for the loopback address and the port checks.
#
# Idempotent and fast on reruns: apt is only touched when something is missing.
# Installing must not leave a system-wide postfix or nsd running on :25 or :53;
# our instances are started by start.sh with their own configuration.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: must run as root (apt-get, and Postfix later binds port 25)" >&2
  exit 1
fi

# package -> a file that proves it is usable
declare -A PROBES=(
  [postfix]=/usr/sbin/postfix
  [nsd]=/usr/sbin/nsd
  [openssl]=/usr/bin/openssl
  [dnsutils]=/usr/bin/dig
  [iproute2]=/usr/sbin/ip
)

missing=()
for pkg in "${!PROBES[@]}"; do
  if ! dpkg -s "$pkg" >/dev/null 2>&1 || [ ! -x "${PROBES[$pkg]}" ]; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "peers/install: postfix, nsd, openssl, dig, ip already installed"
  exit 0
fi

echo "peers/install: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive

# "No configuration": the package must not write /etc/postfix/main.cf nor try to
# set up a system mailer; start.sh runs a private instance (postfix -c DIR).
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "postfix postfix/mailname string mx.example.net" | debconf-set-selections

# Keep the postinst scripts from starting the system-wide daemons (nsd would grab
# :53 on every address, postfix :25). invoke-rc.d obeys policy-rc.d; exit 101 means
# "action forbidden". Only add one if the machine has none, and remove only ours.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi

# Other sessions may be using apt at the same time: wait for the dpkg lock
# instead of failing.
APT=(apt-get -y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
"${APT[@]}" update
"${APT[@]}" install --no-install-recommends "${missing[@]}"

# Belt and braces: if a package still started its daemon (no policy-rc.d honoured),
# stop that system instance, by its own pid file, so only our instances listen.
if [ -s /var/spool/postfix/pid/master.pid ] && [ -f /etc/postfix/main.cf ]; then
  postfix stop >/dev/null 2>&1 || true
fi
for pidfile in /run/nsd/nsd.pid /var/run/nsd/nsd.pid; do
  if [ -s "$pidfile" ]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
  fi
done

if ss -ltnuH '( sport = :25 or sport = :53 )' | grep -q .; then
  echo "peers/install: warning: something listens on port 25 or 53 after install:" >&2
  ss -ltnup '( sport = :25 or sport = :53 )' >&2
fi
echo "peers/install: done"
