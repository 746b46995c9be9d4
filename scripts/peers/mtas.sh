#!/usr/bin/env bash
# Two more real receiving MTAs beside the Postfix of scripts/peers/start.sh, on loopback only:
#   - OpenSMTPD 6.8 (Debian 12), the MX of opensmtpd.example, on 127.0.0.3:25;
#   - Exim 4.96 (Debian 12, exim4-daemon-light), the MX of exim.example, on 127.0.0.4:25.
# Both offer STARTTLS (self-signed certificates for mx.opensmtpd.example / mx.exim.example),
# accept any local part of their domain, deliver to Maildirs and relay nothing.
#
#   scripts/peers/mtas.sh start [STATE_DIR]   # default STATE_DIR: <repo>/target/peers
#   scripts/peers/mtas.sh stop  [STATE_DIR]
#
# start installs what is missing, (re)starts both, waits for their 220 greetings and writes
# STATE_DIR/mtas.env for the tests (set -a; . STATE_DIR/mtas.env; set +a). stop ends them by
# the PIDs recorded at start and waits until they are gone. The zones (opensmtpd.example,
# exim.example) are served by the NSD of scripts/peers/start.sh.
#
# Debian's MTA packages conflict with each other (they all provide mail-transport-agent) and
# Postfix is installed, so these two are not installed: `apt-get download` fetches the .debs
# and `dpkg-deb -x` unpacks them into STATE_DIR/pkgs (skipped when already unpacked); only
# their missing shared libraries are installed with apt-get. Each runs from its unpacked
# tree with its own configuration, queue, mail and logs under STATE_DIR. See
# scripts/peers/mtas/README.md for the details (OpenSMTPD's compiled-in paths, its OpenSSL 3
# bug and the shim that fixes it, Exim's privilege rules). Needs root.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
OSMTPD_ADDR=127.0.0.3
OSMTPD_NAME=mx.opensmtpd.example
OSMTPD_DOMAIN=opensmtpd.example
EXIM_ADDR=127.0.0.4
EXIM_NAME=mx.exim.example
EXIM_DOMAIN=exim.example
WAIT_SECONDS=30
OSMTPD_PKGS=(opensmtpd)
EXIM_PKGS=(exim4-daemon-light exim4-base exim4-config)
# The users the packages' postinst scripts would create (compiled into the binaries).
OSMTPD_USER=opensmtpd     # smtpd's unprivileged processes
OSMTPD_QUEUE_USER=opensmtpq
EXIM_USER=Debian-exim
MAIL_USER=nobody          # OpenSMTPD delivers as this user (like start.sh's Postfix)
# OpenSMTPD paths fixed at compile time; inside its mount namespace they are bound to
# directories under STATE_DIR. The host gets these as (empty) mount points.
OSMTPD_SPOOL_MP=/var/spool/smtpd
OSMTPD_LIBEXEC_MP=/usr/libexec/opensmtpd
OSMTPD_CHROOT=/var/lib/opensmtpd/empty

usage() {
  echo "usage: $0 start|stop [STATE_DIR]   (default STATE_DIR: $REPO_ROOT/target/peers)" >&2
  exit 2
}
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
ACTION=$1
case "$ACTION" in start|stop) ;; *) usage ;; esac

if [ "$(id -u)" -ne 0 ]; then
  echo "mtas.sh: must run as root (apt-get, port 25, users, mount namespace)" >&2
  exit 1
fi

# STATE_DIR: an argument relative to the current directory, the default relative to the
# repo; made absolute without needing it to exist (stop after mvn clean).
STATE_DIR=${2:-$REPO_ROOT/target/peers}
case "$STATE_DIR" in /*) ;; *) STATE_DIR=$PWD/$STATE_DIR ;; esac
STATE_DIR=$(realpath -m "$STATE_DIR")
case "$STATE_DIR" in
  *[[:space:]]*) echo "mtas.sh: STATE_DIR must not contain whitespace: $STATE_DIR" >&2; exit 1 ;;
esac
# Where everything lives when STATE_DIR cannot be reached by the unprivileged users (see
# choose_base); STATE_DIR/{pkgs,opensmtpd,exim} are then symlinks to it.
SPOOL_BASE=/var/spool/directmx-mtas/$(printf '%s' "$STATE_DIR" | sha1sum | cut -c1-12)

log() { echo "mtas: $*"; }

#################################################################### process helpers
read_pid() { [ -s "$1" ] && tr -d ' \n' <"$1"; }
alive() { [ -n "$1" ] && [ -d "/proc/$1" ]; }
# No "producer | grep -q" in this script: under pipefail, grep -q leaving early can make
# the producer die of SIGPIPE and the whole test read as false.
cmdline_has() { # pid string: does the process's argv hold the string?
  local args
  args=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1   # 2> first: it may be gone
  [[ "$args" == *"$2"* ]]
}
session_members() { # sid -> every pid in that session (field 6 of /proc/PID/stat; the
  # comm field before it is in parentheses and may hold spaces). One pass: /proc is slow.
  # (cat fails for a process that ends meanwhile: that must not fail the pipeline.)
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } \
    | awk -v sid="$1" '{ pid = $1; sub(/^.*\) /, ""); if ($4 == sid) print pid }'
}
pids_running() { # path -> pids whose argv holds it (candidates: the caller checks each
  # argv more closely; the grep itself has exited by then)
  grep -laF -- "$1" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3 || true
}
wait_gone() { # seconds pid...
  local seconds=$1 i pid left
  shift
  for ((i = 0; i < seconds * 10; i++)); do
    left=0
    for pid in "$@"; do alive "$pid" && left=1; done
    [ "$left" -eq 0 ] && return 0
    sleep 0.1
  done
  return 1
}
# Ends a daemon and everything in its session (both are started as session leaders:
# OpenSMTPD by setsid, Exim by its own daemon fork): SIGTERM to the leader, which stops
# its children, then SIGTERM and SIGKILL for any member still there.
end_session() { # pid
  local leader=$1 members pid
  members=$(session_members "$leader")
  kill -TERM "$leader" 2>/dev/null || true
  wait_gone 15 "$leader" || kill -KILL "$leader" 2>/dev/null || true
  wait_gone 5 "$leader" || true
  for pid in $members; do
    [ "$pid" = "$leader" ] && continue
    if alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  # shellcheck disable=SC2086
  wait_gone 5 $members || for pid in $members; do kill -KILL "$pid" 2>/dev/null || true; done
  # shellcheck disable=SC2086
  wait_gone 5 $members || true
}

########################################################################## stop
# Stops what a start from this STATE_DIR left running: the PIDs in the pid files, checked
# against the config path in their argv (a stale pid file must not hit someone else), and,
# if the pid files are gone (mvn clean), the processes whose argv names our config.
do_stop() {
  local stopped=() base conf pid
  for base in "$STATE_DIR" "$SPOOL_BASE"; do
    conf=$base/opensmtpd/smtpd.conf
    pid=$(read_pid "$base/opensmtpd/smtpd.pid" || true)
    if alive "$pid" && cmdline_has "$pid" "-f $conf"; then
      end_session "$pid"; stopped+=("opensmtpd $pid")
    fi
    for pid in $(pids_running "$conf"); do
      if cmdline_has "$pid" "smtpd -d -f $conf"; then end_session "$pid"; stopped+=("opensmtpd $pid"); fi
    done
    conf=$base/exim/exim.conf
    pid=$(read_pid "$base/exim/exim.pid" || true)
    if alive "$pid" && cmdline_has "$pid" "-C $conf"; then
      end_session "$pid"; stopped+=("exim $pid")
    fi
    # Exim's receiving and delivery processes carry "-C CONF" too.
    for pid in $(pids_running "$conf"); do
      if cmdline_has "$pid" "exim4 -C $conf "; then end_session "$pid"; stopped+=("exim $pid"); fi
    done
  done
  rm -f "$STATE_DIR/mtas.env"
  if [ "${#stopped[@]}" -eq 0 ]; then
    log "nothing running from $STATE_DIR"
  else
    log "stopped ${stopped[*]} ($STATE_DIR)"
  fi
}

if [ "$ACTION" = stop ]; then
  do_stop
  exit 0
fi

####################################################################### install
APT_OPTS=(-q -o DPkg::Lock::Timeout=600 -o APT::Sandbox::User=root)
apt_updated=0
apt_update_once() {
  if [ "$apt_updated" -eq 0 ]; then
    apt-get "${APT_OPTS[@]}" update >/dev/null
    apt_updated=1
  fi
}
apt_install() { # packages...
  apt_update_once
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get -y "${APT_OPTS[@]}" install --no-install-recommends "$@" >/dev/null
}
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

# Downloads and unpacks NAME's packages into STATE_DIR/pkgs/NAME, unless a complete tree is
# there; records their library dependencies in .libdeps.
unpack() { # name packages...
  local tree=$PKG_DIR/$1 debs=$PKG_DIR/debs deb
  shift
  [ -f "$tree/.complete" ] && return 0
  mkdir -p "$debs"
  rm -rf "$tree" "${debs:?}"/*
  log "downloading $* (apt-get download)"
  if ! (cd "$debs" && apt-get "${APT_OPTS[@]}" download "$@" >/dev/null 2>"$debs/download.err"); then
    # Package lists missing or stale (a fresh machine, or the pinned version is gone).
    apt_update_once
    (cd "$debs" && apt-get "${APT_OPTS[@]}" download "$@" >/dev/null 2>"$debs/download.err") \
      || { cat "$debs/download.err" >&2; echo "mtas.sh: apt-get download $* failed" >&2; exit 1; }
  fi
  mkdir -p "$tree"
  : >"$tree/.libdeps"
  for deb in "$debs"/*.deb; do
    dpkg-deb -x "$deb" "$tree"
    # "libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, ..." -> the library packages.
    dpkg-deb -f "$deb" Depends Pre-Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/^[A-Za-z-]*://' \
      | tr -d ' ' | grep -E '^(lib|zlib)' >>"$tree/.libdeps" || true
  done
  (cd "$debs" && ls ./*.deb) >"$tree/.complete"
  rm -f "$debs"/*.deb "$debs/download.err"
}

# The users the packages' postinst scripts would have created.
ensure_group() { getent group "$1" >/dev/null || groupadd --system "$1"; }
ensure_user() { # name group home
  ensure_group "$2"
  getent passwd "$1" >/dev/null \
    || useradd --system --gid "$2" --home-dir "$3" --no-create-home --shell /usr/sbin/nologin "$1"
}

install_all() {
  local tool missing=() lib bin libs
  for tool in openssl ip unshare setsid setpriv dpkg-deb apt-get; do
    command -v "$tool" >/dev/null || { echo "mtas.sh: $tool missing (run scripts/peers/install.sh)" >&2; exit 1; }
  done
  mkdir -p "$PKG_DIR"
  unpack opensmtpd "${OSMTPD_PKGS[@]}"
  unpack exim "${EXIM_PKGS[@]}"

  # Their shared libraries (e.g. libidn12 for Exim), and a C compiler for the shim.
  while read -r lib; do
    installed "$lib" || missing+=("$lib")
  done < <(sort -u "$PKG_DIR/opensmtpd/.libdeps" "$PKG_DIR/exim/.libdeps")
  command -v cc >/dev/null || missing+=(gcc libc6-dev)
  [ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
  for bin in "$SMTPD" "$PKG_DIR/opensmtpd/usr/libexec/opensmtpd/mail.maildir" "$EXIM"; do
    libs=$(ldd "$bin" 2>&1) || true
    if [[ "$libs" == *"not found"* ]]; then
      echo "$libs" >&2
      echo "mtas.sh: $bin misses shared libraries" >&2
      exit 1
    fi
  done

  # OpenSMTPD's STARTTLS is broken on OpenSSL 3 without this (mtas/opensmtpd-rsa-exdata.c).
  if [ ! -s "$SHIM" ] || [ "$SCRIPT_DIR/mtas/opensmtpd-rsa-exdata.c" -nt "$SHIM" ]; then
    cc -shared -fPIC -O2 -Wall -Werror -o "$SHIM" "$SCRIPT_DIR/mtas/opensmtpd-rsa-exdata.c" -ldl
  fi

  # Mount points for OpenSMTPD's namespace, and the empty chroot of its unprivileged
  # processes; the opensmtpd package would own all three.
  mkdir -p "$OSMTPD_SPOOL_MP" "$OSMTPD_LIBEXEC_MP" "$OSMTPD_CHROOT"
}

######################################################################### layout
# Exim's processes (user Debian-exim) must reach its spool, logs, binary and mail, and
# OpenSMTPD's delivery agent (user nobody) its mail. A STATE_DIR below a private directory
# (e.g. /root, a mktemp dir) cannot be reached: then everything goes to SPOOL_BASE.
choose_base() {
  local user reachable=1
  mkdir -p "$STATE_DIR"
  for user in "$EXIM_USER" "$MAIL_USER"; do
    setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups test -x "$STATE_DIR" || reachable=0
  done
  if [ "$reachable" -eq 1 ]; then
    [ -L "$STATE_DIR/pkgs" ] && rm -f "$STATE_DIR/pkgs" "$STATE_DIR/opensmtpd" "$STATE_DIR/exim"
    BASE=$STATE_DIR
  else
    BASE=$SPOOL_BASE
    log "$STATE_DIR is not reachable by users $EXIM_USER/$MAIL_USER; state goes to $BASE"
    mkdir -p "$BASE"
    chmod 755 /var/spool/directmx-mtas "$BASE"
    local dir
    for dir in pkgs opensmtpd exim; do
      if [ ! -L "$STATE_DIR/$dir" ]; then
        rm -rf "${STATE_DIR:?}/$dir"
        ln -s "$BASE/$dir" "$STATE_DIR/$dir"
      fi
    done
  fi
  PKG_DIR=$BASE/pkgs
  SMTPD=$PKG_DIR/opensmtpd/usr/sbin/smtpd
  EXIM=$PKG_DIR/exim/usr/sbin/exim4
  SHIM=$PKG_DIR/opensmtpd-rsa-exdata.so
  OS_DIR=$BASE/opensmtpd
  EX_DIR=$BASE/exim
}

######################################################################### start
do_stop >/dev/null
ensure_user "$OSMTPD_USER" "$OSMTPD_USER" "$OSMTPD_CHROOT"
ensure_user "$OSMTPD_QUEUE_USER" "$OSMTPD_QUEUE_USER" "$OSMTPD_CHROOT"
ensure_user "$EXIM_USER" "$EXIM_USER" /var/spool/exim4
choose_base
install_all

show_logs() {
  local file
  for file in "$OS_DIR/smtpd.log" "$EX_DIR/exim.stderr" "$EX_DIR/log/mainlog" "$EX_DIR/log/paniclog" \
              "$EX_DIR/log/rejectlog"; do
    [ -s "$file" ] || continue
    echo "----- $file" >&2
    tail -n 40 "$file" >&2
  done
}
fail() {
  echo "mtas.sh: $*" >&2
  show_logs
  do_stop >&2 || true
  exit 1
}

# A clean slate: no old mail, queue, logs or pid files.
rm -rf "$OS_DIR" "$EX_DIR"
mkdir -p "$OS_DIR"/{tls,spool,run,mail} "$EX_DIR"/{tls,spool,log,mail}

make_cert() { # name dir group
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$1" -addext "subjectAltName=DNS:$1" \
    -keyout "$2/$1.key" -out "$2/$1.crt" 2>/dev/null || fail "openssl could not make the certificate for $1"
  chgrp "$3" "$2/$1.key"
  chmod 640 "$2/$1.key"
}

for addr in "$OSMTPD_ADDR" "$EXIM_ADDR"; do
  # Like start.sh for 127.0.0.2: lo gets the address, so binding it never depends on
  # how the kernel treats the rest of 127/8.
  if [[ "$(ip -4 -o addr show dev lo)" != *" $addr/"* ]]; then
    ip addr add "$addr/32" dev lo || fail "could not add $addr to lo"
  fi
done

##################################################################### OpenSMTPD
make_cert "$OSMTPD_NAME" "$OS_DIR/tls" root
chmod 711 "$OS_DIR/spool"                   # smtpd insists on this mode for its spool
# Maildirs: OpenSMTPD delivers to OS_DIR/mail/<local part>, made on first delivery; the
# one the tests use is made up front so they can watch its new/ before mail comes.
mkdir -p "$OS_DIR/mail/recipient"/{new,cur,tmp}
chown -R "$MAIL_USER:$(id -gn "$MAIL_USER")" "$OS_DIR/mail"
echo "$OSMTPD_NAME" >"$OS_DIR/mailname"
# Its name lookups (the client's reverse DNS) go to loopback, where nothing answers on
# port 53, instead of the machine's resolver: these tests send nothing off the machine.
printf 'nameserver 127.0.0.1\n' >"$OS_DIR/resolv.conf"

cat >"$OS_DIR/smtpd.conf" <<EOF
# Generated by scripts/peers/mtas.sh; rerun it instead of editing.
# A private OpenSMTPD: the MX of $OSMTPD_DOMAIN on $OSMTPD_ADDR:25 only, STARTTLS offered
# (not required), every local part accepted into a Maildir, nothing relayed (there is no
# relay action, so mail for any other domain is refused at RCPT).
pki $OSMTPD_NAME cert "$OS_DIR/tls/$OSMTPD_NAME.crt"
pki $OSMTPD_NAME key "$OS_DIR/tls/$OSMTPD_NAME.key"

listen on $OSMTPD_ADDR port 25 tls pki $OSMTPD_NAME hostname $OSMTPD_NAME

# Virtual domain: every address maps to the system user $MAIL_USER, who owns the Maildirs.
table vusers { "@$OSMTPD_DOMAIN" = "$MAIL_USER" }
action "maildir" maildir "$OS_DIR/mail/%{rcpt.user:lowercase}" virtual <vusers>
match from any for domain "$OSMTPD_DOMAIN" action "maildir"
EOF

"$SMTPD" -n -f "$OS_DIR/smtpd.conf" >"$OS_DIR/smtpd.log" 2>&1 || fail "smtpd.conf is invalid"

# smtpd has its spool, helper programs and control socket compiled in (/var/spool/smtpd,
# /usr/libexec/opensmtpd, /var/run/smtpd.sock). It runs in its own mount namespace where
# those are bind mounts of directories under OS_DIR and the unpacked package, and in its
# own UTS namespace whose host name is its MX name (its server name when /etc/mailname is
# missing; an existing /etc/mailname is covered by ours).
cat >"$OS_DIR/launch.sh" <<EOF
#!/bin/sh
# Generated by scripts/peers/mtas.sh; run by it under "unshare --mount --uts".
set -e
resolv=\$(readlink -f /etc/resolv.conf || true)
mount --bind "$OS_DIR/spool" $OSMTPD_SPOOL_MP
mount --bind "$PKG_DIR/opensmtpd$OSMTPD_LIBEXEC_MP" $OSMTPD_LIBEXEC_MP
mount --bind "$OS_DIR/run" /run
case "\$resolv" in
  /run/*) mkdir -p "$OS_DIR/run/\$(dirname "\${resolv#/run/}")"; cp "$OS_DIR/resolv.conf" "$OS_DIR/run/\${resolv#/run/}" ;;
  ?*) if [ -e "\$resolv" ]; then mount --bind "$OS_DIR/resolv.conf" "\$resolv"; fi ;;
esac
if [ -e /etc/mailname ]; then mount --bind "$OS_DIR/mailname" /etc/mailname; fi
hostname $OSMTPD_NAME
LD_PRELOAD="$SHIM" exec "$SMTPD" -d -f "$OS_DIR/smtpd.conf"
EOF
chmod 755 "$OS_DIR/launch.sh"
# -d: stay in the foreground and log to stderr (there is no syslog here). setsid makes it
# a session leader, so stop can find its children; the exec chain keeps its PID.
setsid unshare --mount --uts --propagation private "$OS_DIR/launch.sh" >>"$OS_DIR/smtpd.log" 2>&1 </dev/null &
OSMTPD_PID=$!
echo "$OSMTPD_PID" >"$OS_DIR/smtpd.pid"

########################################################################## Exim
make_cert "$EXIM_NAME" "$EX_DIR/tls" "$EXIM_USER"
chown "$EXIM_USER:$EXIM_USER" "$EX_DIR/spool" "$EX_DIR/log" "$EX_DIR/mail"
# Local parts -> Maildir names (lsearch*: "*" catches the rest). Read from a root-owned
# file, the result is untainted and may name a directory, as Exim 4.94+ requires.
cat >"$EX_DIR/mailboxes" <<EOF
recipient: recipient
*: catchall
EOF
for maildir in recipient catchall; do
  mkdir -p "$EX_DIR/mail/$maildir"/{new,cur,tmp}
done
chown -R "$EXIM_USER:$EXIM_USER" "$EX_DIR/mail"

cat >"$EX_DIR/exim.conf" <<EOF
# Generated by scripts/peers/mtas.sh; rerun it instead of editing.
# A private Exim (exim4 -C this file): the MX of $EXIM_DOMAIN on $EXIM_ADDR:25 only.
primary_hostname = $EXIM_NAME
qualify_domain = $EXIM_DOMAIN
domainlist local_domains = $EXIM_DOMAIN
local_interfaces = $EXIM_ADDR
daemon_smtp_ports = 25

# Everything under $EX_DIR; the binary re-executes itself for deliveries.
exim_path = $EXIM
spool_directory = $EX_DIR/spool
log_file_path = $EX_DIR/log/%slog
pid_file_path = $EX_DIR/exim.pid
keep_environment =

# -C drops root privilege for the delivery that the receiving process (already the Exim
# user) re-executes, unless the file is in /etc/exim4/trusted_configs (spec, -C). So all
# of delivery runs as the Exim user, who owns the spool and the Maildirs.
exim_user = $EXIM_USER
exim_group = $EXIM_USER
never_users = root
deliver_drop_privilege = true

# No DNS: no reverse lookups of clients, no ident callbacks.
host_lookup =
rfc1413_hosts =

# STARTTLS offered to everyone, never required. PIPELINING, 8BITMIME, SMTPUTF8, CHUNKING
# and SIZE are Exim's defaults (pipelining/smtputf8/chunking_advertise_hosts = *,
# accept_8bitmime = true), as it ships.
tls_advertise_hosts = *
tls_certificate = $EX_DIR/tls/$EXIM_NAME.crt
tls_privatekey = $EX_DIR/tls/$EXIM_NAME.key

acl_smtp_rcpt = acl_check_rcpt
log_selector = +tls_cipher +tls_peerdn +received_recipients +smtp_protocol_error +smtp_syntax_error
# Bounces could go nowhere (no remote router): drop them instead of keeping them frozen.
ignore_bounce_errors_after = 0s
timeout_frozen_after = 1h

begin acl

acl_check_rcpt:
  accept domains = +local_domains
  deny   message = relay not permitted

begin routers

# The only router: local parts of $EXIM_DOMAIN. There is no dnslookup or manualroute
# router, so nothing can be routed off this host.
maildir:
  driver = accept
  domains = +local_domains
  local_parts = lsearch*;$EX_DIR/mailboxes
  transport = maildir

begin transports

# Like the local_delivery transport of Exim's default configuration (which adds these
# three headers), in Maildir format.
maildir:
  driver = appendfile
  directory = $EX_DIR/mail/\$local_part_data
  maildir_format
  create_directory
  delivery_date_add
  envelope_to_add
  return_path_add
  user = $EXIM_USER
  group = $EXIM_USER
  mode = 0640

begin retry

*   *   F,1h,1m
EOF
chmod 644 "$EX_DIR/exim.conf"   # Exim refuses a config that others may write

"$EXIM" -C "$EX_DIR/exim.conf" -bV >"$EX_DIR/exim.stderr" 2>&1 || fail "exim.conf is invalid"
# -bd: the daemon, which forks into the background as a session leader and writes -oP.
"$EXIM" -C "$EX_DIR/exim.conf" -bd -oP "$EX_DIR/exim.pid" >>"$EX_DIR/exim.stderr" 2>&1 </dev/null \
  || fail "exim -bd failed"

##################################################################### readiness
greets() { # addr: read the greeting over bash's /dev/tcp, then say QUIT politely
  timeout 3 bash -c "exec 3<>/dev/tcp/$1/25; IFS= read -r line <&3; printf 'QUIT\r\n' >&3; [[ \$line == 220* ]]" 2>/dev/null
}
deadline=$((SECONDS + WAIT_SECONDS))
EXIM_PID=""
until [ -n "$EXIM_PID" ] && greets "$OSMTPD_ADDR" && greets "$EXIM_ADDR"; do
  alive "$OSMTPD_PID" || fail "smtpd exited"
  EXIM_PID=$(read_pid "$EX_DIR/exim.pid" || true)
  [ -z "$EXIM_PID" ] || alive "$EXIM_PID" || fail "the exim daemon exited"
  [ "$SECONDS" -lt "$deadline" ] || fail "no 220 greeting within ${WAIT_SECONDS}s (opensmtpd $OSMTPD_ADDR:25, exim $EXIM_ADDR:25)"
  sleep 0.2
done

cat >"$STATE_DIR/mtas.env" <<EOF
DIRECTMX_IT_OPENSMTPD_HOST=$OSMTPD_ADDR
DIRECTMX_IT_OPENSMTPD_MAIL=$OS_DIR/mail
DIRECTMX_IT_OPENSMTPD_LOG=$OS_DIR/smtpd.log
DIRECTMX_IT_OPENSMTPD_CERT=$OS_DIR/tls/$OSMTPD_NAME.crt
DIRECTMX_IT_OPENSMTPD_PID=$OSMTPD_PID
DIRECTMX_IT_EXIM_HOST=$EXIM_ADDR
DIRECTMX_IT_EXIM_MAIL=$EX_DIR/mail
DIRECTMX_IT_EXIM_LOG=$EX_DIR/log/mainlog
DIRECTMX_IT_EXIM_CERT=$EX_DIR/tls/$EXIM_NAME.crt
DIRECTMX_IT_EXIM_PID=$EXIM_PID
EOF

log "up: opensmtpd $OSMTPD_ADDR:25 (pid $OSMTPD_PID, mail $OS_DIR/mail), exim $EXIM_ADDR:25 (pid $EXIM_PID, mail $EX_DIR/mail), env $STATE_DIR/mtas.env"
