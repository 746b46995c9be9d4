#!/usr/bin/env bash
# Fault peers for the end-to-end tests: real servers that fail the way MX hosts fail,
# each behind its own name in the zone fault.example (scripts/peers/zones/fault.example.zone).
#
#   scripts/peers/faults.sh install             # apt-get what is missing (postgrey, python3)
#   scripts/peers/faults.sh start [STATE_DIR]   # after scripts/peers/start.sh STATE_DIR
#   scripts/peers/faults.sh stop  [STATE_DIR]
#
# STATE_DIR is the one start.sh used (default <repo>/target/peers): NSD there already serves
# fault.example. Everything of ours lives in STATE_DIR/faults; start writes
# STATE_DIR/faults.env (set -a; . target/peers/faults.env; set +a). Servers, all on loopback
# addresses 127.0.0.10-.38 (added to lo as /32 aliases) and [::1]:25:
#   - a private Postfix instance (STATE_DIR/faults/spool/postfix) with one smtpd per fault,
#     postgrey in front of one of them;
#   - Postfix's smtp-sink, one process per scripted fault;
#   - faults/blackhole.py (connections time out) and faults/dnsproxy.py (SERVFAIL, no answer).
# What each domain does and what directmx should conclude: scripts/peers/faults/README.md.
# Every process is recorded by PID and stopped by PID; stop also finds them by their
# STATE_DIR paths when the pid files are gone (mvn clean). Needs root.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
HELPERS=$SCRIPT_DIR/faults
WAIT_SECONDS=30
GREY_DELAY=${DIRECTMX_FAULTS_GREYLIST_DELAY:-5}     # postgrey --delay (seconds; 0 would mean 300)
POSTGREY_ADDR=127.0.0.37
POSTGREY_PORT=10023
PROXY_ADDR=127.0.0.38
PROXY_PORT=5353

# The Postfix listeners: NAME ADDRESS PORT; their settings are in master.cf below.
PF_LISTENERS=(
  "greylist   127.0.0.10 25"
  "submission 127.0.0.17 587"
  "smtps      127.0.0.18 465"
  "mixed      127.0.0.19 25"
  "utf8       127.0.0.20 25"
  "badtls     127.0.0.21 25"
  "limit      127.0.0.22 25"
  "size       127.0.0.23 25"
)
# The smtp-sinks: NAME ADDRESS PORT OPTIONS... (smtp-sink(1); -r/-f imply no PIPELINING).
SINKS=(
  "nolisting  127.0.0.12 25"
  "deadmx     127.0.0.15 25"
  "nomx       127.0.0.16 25"
  "v6only     ::1        25"
  "tempfail   127.0.0.24 25 -r RCPT -b 451_4.3.0_Temporary_local_problem,_try_again_later"
  "full       127.0.0.25 25 -r RCPT -b 452_4.2.2_Mailbox_full"
  "full2      127.0.0.26 25 -f . -B 552_5.2.2_Mailbox_full:_message_exceeds_quota"
  "unknown    127.0.0.27 25 -f RCPT -B 550_5.1.1_User_unknown"
  "busy       127.0.0.28 25 -Q CONNECT"
  "silent     127.0.0.29 25 -W CONNECT:3600"
  "drop       127.0.0.30 25 -q ."
  "no8bit     127.0.0.31 25 -8"
  "noutf8     127.0.0.32 25"
  "stall      127.0.0.33 25 -W .:3600"
  "noehlo     127.0.0.34 25 -e"
  "reject     127.0.0.35 25 -f CONNECT -B 554_5.7.1_No_SMTP_service_here"
)
BLACKHOLE="blackhole 127.0.0.36 25"
# Addresses where nothing may listen (nolisting mx1, deadmx mx1/mx2, the other ports of
# submission and smtps): checked before and after start.
CLOSED=(127.0.0.11,25 127.0.0.13,25 127.0.0.14,25 127.0.0.17,25 127.0.0.17,465 127.0.0.18,25 127.0.0.18,587)
FIRST_ADDR=10 LAST_ADDR=39   # 127.0.0.FIRST..LAST are ours

usage() { echo "usage: $0 install | start [STATE_DIR] | stop [STATE_DIR]" >&2; exit 64; }
[ $# -ge 1 ] || usage
ACTION=$1
shift

if [ "$(id -u)" -ne 0 ]; then
  echo "faults.sh: must run as root (apt-get, port 25, Postfix)" >&2
  exit 1
fi

#################################################################### install
install_packages() {
  # Postfix (smtp-sink, posttls-finger), NSD, openssl, dig, ip come from install.sh.
  if [ ! -x /usr/sbin/smtp-sink ] || [ ! -x /usr/sbin/nsd ]; then
    bash "$SCRIPT_DIR/install.sh"
  fi
  declare -A probes=([postgrey]=/usr/sbin/postgrey [python3]=/usr/bin/python3 [util-linux]=/usr/bin/setpriv)
  local missing=() pkg
  for pkg in "${!probes[@]}"; do
    if ! dpkg -s "$pkg" >/dev/null 2>&1 || [ ! -x "${probes[$pkg]}" ]; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "faults/install: postgrey, python3 already installed"
    return 0
  fi
  echo "faults/install: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # As install.sh: keep postinst from starting the system postgrey (policy-rc.d exit 101),
  # adding a policy only if the machine has none and removing only ours.
  local policy=/usr/sbin/policy-rc.d ours=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    ours=yes
  fi
  local apt=(apt-get -y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  local rc=0
  { "${apt[@]}" update && "${apt[@]}" install --no-install-recommends "${missing[@]}"; } || rc=$?
  [ -z "$ours" ] || rm -f "$policy"
  [ "$rc" -eq 0 ] || { echo "faults/install: apt-get failed ($rc)" >&2; return "$rc"; }
  # If a system postgrey started anyway, stop it by its own pid file.
  local pidfile
  for pidfile in /run/postgrey.pid /var/run/postgrey.pid; do
    if [ -s "$pidfile" ]; then kill "$(tr -d ' \n' <"$pidfile")" 2>/dev/null || true; fi
  done
  echo "faults/install: done"
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
case "$STATE_DIR" in
  *[[:space:],]*) echo "faults.sh: STATE_DIR must not contain whitespace or commas: $STATE_DIR" >&2; exit 1 ;;
esac
FDIR=$STATE_DIR/faults            # logs, pid files, generated config: root only
PID_DIR=$FDIR/pids
ENV_FILE=$STATE_DIR/faults.env
# Postfix's daemons, the virtual agent, smtp-sink (user nobody) and postgrey need the
# queue, the mail and the database: in FDIR/spool when they can reach it, else in a
# spool directory keyed by STATE_DIR (as start.sh does), with FDIR/spool a symlink.
ALT_SPOOL=/var/spool/directmx-faults/$(printf '%s' "$STATE_DIR" | sha1sum | cut -c1-12)

read_pid() { [ -s "$1" ] && tr -d ' \n' <"$1"; }
gone() { # pid: no such process, or a zombie (exited; its parent has not reaped it yet)
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  [ "${stat%% *}" = Z ]
}
wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    gone "$1" && return 0
    sleep 0.1
  done
  return 1
}
end_pid() { # pid seconds: SIGTERM, then SIGKILL
  kill -TERM "$1" 2>/dev/null || return 0
  wait_gone "$1" "$2" || { kill -KILL "$1" 2>/dev/null || true; wait_gone "$1" 5 || true; }
}
# Is PID one of ours? Its command is one we start and its argv names our directories.
is_ours() { # pid
  local pid=$1 comm args
  [ -n "$pid" ] || return 1
  { read -r comm <"/proc/$pid/comm"; } 2>/dev/null || return 1
  case "$comm" in smtp-sink | postgrey* | perl | python3*) ;; *) return 1 ;; esac
  args=$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || return 1
  [[ "$args" == *"$FDIR/"* || "$args" == *"$ALT_SPOOL/"* ]]
}
# Is PID the master of our Postfix instance? (MAIL_CONFIG names its config directory.)
is_our_master() { # pid
  local pid=$1 comm environ
  [ -n "$pid" ] || return 1
  { read -r comm <"/proc/$pid/comm"; } 2>/dev/null && [ "$comm" = master ] || return 1
  environ=$({ tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null) || return 1
  grep -qxE "MAIL_CONFIG=($FDIR/spool|$ALT_SPOOL)/postfix/etc" <<<"$environ"
}

stop_all() {
  local stopped=() f pid proc pf_etc
  # Postfix first (it talks to postgrey): "postfix -c DIR stop", then the master's pid.
  for pf_etc in "$FDIR/spool/postfix/etc" "$ALT_SPOOL/postfix/etc"; do
    [ -f "$pf_etc/main.cf" ] || continue
    pid=$(read_pid "$(postconf -c "$pf_etc" -h queue_directory 2>/dev/null)/pid/master.pid" || true)
    if is_our_master "$pid"; then
      postfix -c "$pf_etc" stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid" 15 || end_pid "$pid" 5
      stopped+=("postfix:$pid")
    fi
  done
  # The others by their pid files, then any left over whose argv names our directories:
  # SIGTERM to all at once, then wait for each (SIGKILL after 10 s).
  local victims=()
  if [ -d "$PID_DIR" ]; then
    for f in "$PID_DIR"/*.pid; do
      [ -e "$f" ] || continue
      pid=$(read_pid "$f" || true)
      if is_ours "$pid"; then victims+=("$pid"); stopped+=("$(basename "$f" .pid):$pid"); fi
      rm -f "$f"
    done
  fi
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    [ "$pid" != $$ ] || continue
    if is_ours "$pid" && [[ " ${victims[*]-} " != *" $pid "* ]]; then victims+=("$pid"); stopped+=("stray:$pid"); fi
    # A master whose pid file is gone: SIGTERM stops Postfix (and its children) too.
    if is_our_master "$pid"; then victims+=("$pid"); stopped+=("postfix:$pid"); fi
  done
  for pid in ${victims[@]+"${victims[@]}"}; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in ${victims[@]+"${victims[@]}"}; do
    wait_gone "$pid" 10 || { kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 5 || true; }
  done
  rm -f "$ENV_FILE"
  if [ "${#stopped[@]}" -eq 0 ]; then
    echo "faults: nothing running from $STATE_DIR"
  else
    echo "faults: stopped ${stopped[*]}"
  fi
}

if [ "$ACTION" = stop ]; then
  stop_all
  exit 0
fi

###################################################################### start
PYTHON=/usr/bin/python3
for tool in smtp-sink postfix postconf postgrey openssl ip ss dig setpriv sha1sum script "$PYTHON"; do
  command -v "$tool" >/dev/null || { install_packages; break; }
done
[ -s "$STATE_DIR/peers.env" ] || { echo "faults.sh: no $STATE_DIR/peers.env: run scripts/peers/start.sh $STATE_DIR first" >&2; exit 1; }
NSD=$(sed -n 's/^DIRECTMX_IT_DNS=//p' "$STATE_DIR/peers.env")
NSD_HOST=${NSD%:*} NSD_PORT=${NSD##*:}

show_logs() {
  local f
  for f in "$FDIR"/postfix.log "$FDIR"/logs/*.log; do
    [ -s "$f" ] || continue
    echo "----- $f" >&2
    tail -n 20 "$f" >&2
  done
}
fail() {
  echo "faults.sh: $*" >&2
  show_logs
  stop_all >&2 || true
  exit 1
}

# A previous start from this STATE_DIR goes first, then its files: a clean slate
# (no greylist database, no old mail).
stop_all >/dev/null
rm -rf "$FDIR" "$ALT_SPOOL" "$ENV_FILE"
mkdir -p "$FDIR/logs" "$PID_DIR"
chmod 755 "$FDIR"
reachable() { # path: can postfix, nobody and postgrey all reach it?
  local user
  for user in postfix nobody postgrey; do
    setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups test -x "$1" || return 1
  done
}
if reachable "$FDIR"; then
  SPOOL=$FDIR/spool
  mkdir -p "$SPOOL"
else
  SPOOL=$ALT_SPOOL
  echo "faults.sh: $FDIR is not reachable by users postfix/nobody/postgrey; queue and mail go to $SPOOL"
  mkdir -p "$SPOOL"
  chmod 755 /var/spool/directmx-faults
  ln -s "$SPOOL" "$FDIR/spool"
fi
chmod 755 "$SPOOL"
MAIL_DIR=$SPOOL/mail
mkdir -p "$MAIL_DIR"

# NSD must already serve fault.example (start.sh loads every zone file at start).
# (Outputs are captured before grep: grep -q closing a pipe early fails under pipefail.)
answer=$(dig @"$NSD_HOST" -p "$NSD_PORT" +time=1 +tries=2 +short greylist.fault.example MX 2>/dev/null || true)
grep -qxF '10 mx.greylist.fault.example.' <<<"$answer" \
  || fail "the DNS at $NSD does not serve fault.example: restart the peers (scripts/peers/stop.sh; scripts/peers/start.sh) so NSD loads zones/fault.example.zone"

# Our loopback addresses: Postfix only binds addresses an interface holds.
lo_addrs=$(ip -4 -o addr show dev lo)
for ((i = FIRST_ADDR; i <= LAST_ADDR; i++)); do
  if ! grep -qF " 127.0.0.$i/" <<<"$lo_addrs"; then
    ip addr add "127.0.0.$i/32" dev lo || fail "could not add 127.0.0.$i to lo"
  fi
done
# Nothing else may already listen where we will (another STATE_DIR's fault peers?).
listening=$( (ss -ltnH; ss -lunH) | awk '{print $4}')
busy=$(grep -E "^(127\.0\.0\.([1-2][0-9]|3[0-9])|\[::1\]):(25|465|587|$POSTGREY_PORT|$PROXY_PORT)$" <<<"$listening" || true)
[ -z "$busy" ] || fail "already listening (stop the other fault peers first): $(echo $busy)"

# Starts a background process in its own session, output to FDIR/logs/NAME.log; pid file NAME.pid.
spawn() { # name command...
  local name=$1
  shift
  setsid "$@" </dev/null >>"$FDIR/logs/$name.log" 2>&1 &
  echo $! >"$PID_DIR/$name.pid"
}

################################################################### postgrey
# In the foreground (-d would log to syslog, which this machine lacks), as user postgrey.
# --delay=N: a triplet is accepted from N seconds after its first try (--delay=0 means 300);
# --retry-window: the first retry must come within 2 days (the default); --max-age: old
# triplets are forgotten after 35 days (the default); no auto-whitelisting of clients, and
# empty whitelists (Debian's whitelist_recipients passes postmaster@ and abuse@).
GREY_DB=$SPOOL/postgrey
mkdir -p "$GREY_DB"
: >"$GREY_DB/whitelist_clients"
: >"$GREY_DB/whitelist_recipients"
chown -R postgrey:postgrey "$GREY_DB"
spawn postgrey postgrey --inet="$POSTGREY_ADDR:$POSTGREY_PORT" --delay="$GREY_DELAY" \
  --max-age=35 --retry-window=2 --auto-whitelist-clients=0 --lookup-by-host \
  --whitelist-clients="$GREY_DB/whitelist_clients" --whitelist-recipients="$GREY_DB/whitelist_recipients" \
  --dbdir="$GREY_DB" --hostname=mx.greylist.fault.example --user=postgrey --group=postgrey

#################################################################### Postfix
PF_ETC=$SPOOL/postfix/etc
PF_QUEUE=$SPOOL/postfix/queue
PF_DATA=$SPOOL/postfix/data
TLS_DIR=$SPOOL/postfix/tls
mkdir -p "$PF_ETC" "$PF_QUEUE" "$TLS_DIR"

sans=DNS:mx.fault.example
for l in "${PF_LISTENERS[@]}"; do
  read -r name _ <<<"$l"
  sans+=",DNS:mx.$name.fault.example"
done
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=mx.fault.example" -addext "subjectAltName=$sans" \
  -keyout "$TLS_DIR/mx.fault.example.key" -out "$TLS_DIR/mx.fault.example.crt" 2>/dev/null \
  || fail "openssl could not make the certificate"
chmod 600 "$TLS_DIR/mx.fault.example.key"

# recipient -> Maildir under MAIL_DIR. mixed: ok@, ok2@ and full@ exist (full@ gets 452
# from the access map), every other address is unknown (550 5.1.1).
{
  for l in "${PF_LISTENERS[@]}"; do
    read -r name _ <<<"$l"
    if [ "$name" = mixed ]; then
      for user in ok ok2 full; do printf '%s@mixed.fault.example\tmixed.fault.example/\n' "$user"; done
    else
      printf '@%s.fault.example\t%s.fault.example/\n' "$name" "$name"
    fi
  done
} >"$PF_ETC/vmailbox"
cat >"$PF_ETC/mixed_access" <<'EOF'
full@mixed.fault.example   452 4.2.2 Mailbox full
EOF
domains=""
for l in "${PF_LISTENERS[@]}"; do
  read -r name _ <<<"$l"
  domains+="${domains:+, }$name.fault.example"
  mkdir -p "$MAIL_DIR/$name.fault.example"/{new,cur,tmp}
done
pf_addrs=$(for l in "${PF_LISTENERS[@]}"; do read -r _ a _ <<<"$l"; echo "$a"; done | sort -u | paste -sd, | sed 's/,/, /g')

NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
cat >"$PF_ETC/main.cf" <<EOF
# Generated by scripts/peers/faults.sh; rerun it instead of editing.
# A private Postfix instance (postfix -c $PF_ETC) with one smtpd per fault (master.cf);
# otherwise configured as start.sh's peer: accepts mail for its domains, relays nothing,
# sends nothing anywhere.
compatibility_level = 3.6
config_directory = $PF_ETC
queue_directory = $PF_QUEUE
data_directory = $PF_DATA
syslog_name = postfix-faults

myhostname = mx.fault.example
mydomain = fault.example
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =

inet_interfaces = $pf_addrs
inet_protocols = ipv4
mynetworks = 127.0.0.0/8

virtual_mailbox_domains = $domains
virtual_mailbox_maps = texthash:$PF_ETC/vmailbox
virtual_mailbox_base = $MAIL_DIR
virtual_uid_maps = static:$NOBODY_UID
virtual_gid_maps = static:$NOBODY_GID
virtual_minimum_uid = $NOBODY_UID

smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
local_header_rewrite_clients =
smtpd_peername_lookup = no
# Restriction lists the listeners in master.cf refer to (-o cannot hold spaces).
greylist_restrictions = check_policy_service inet:$POSTGREY_ADDR:$POSTGREY_PORT
mixed_restrictions = check_recipient_access texthash:$PF_ETC/mixed_access
# A policy server that does not answer must not turn into a 451 for the tests: wait long.
smtpd_policy_service_timeout = 30s

default_transport = error:directmx fault peer sends no mail
relay_transport = error:directmx fault peer sends no mail
local_transport = error:directmx fault peer has no local mailboxes
smtp_dns_support_level = disabled

smtpd_tls_security_level = may
smtpd_tls_cert_file = $TLS_DIR/mx.fault.example.crt
smtpd_tls_key_file = $TLS_DIR/mx.fault.example.key
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtputf8_enable = yes

maillog_file = $FDIR/postfix.log
maillog_file_prefixes = $FDIR
biff = no
append_dot_mydomain = no
readme_directory = no
EOF

# One smtpd per fault, each on its own address; nothing chrooted (as start.sh).
cat >"$PF_ETC/master.cf" <<'EOF'
# service type  private unpriv  chroot  wakeup  maxproc command
# greylist: postgrey decides at RCPT (450 4.2.0 Greylisted until the delay has passed).
127.0.0.10:25  inet n   -       n       -       -       smtpd
  -o syslog_name=postfix-faults/greylist -o myhostname=mx.greylist.fault.example
  -o smtpd_recipient_restrictions=$greylist_restrictions
# submission: port 587 only, STARTTLS required before MAIL (no AUTH asked).
127.0.0.17:587 inet n   -       n       -       -       smtpd
  -o syslog_name=postfix-faults/submission -o myhostname=mx.submission.fault.example
  -o smtpd_tls_security_level=encrypt
# smtps: port 465 only, implicit TLS (RFC 8314).
127.0.0.18:465 inet n   -       n       -       -       smtpd
  -o syslog_name=postfix-faults/smtps -o myhostname=mx.smtps.fault.example
  -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt
# mixed: ok@/ok2@ 250, full@ 452 4.2.2, anyone else 550 5.1.1, in one transaction.
127.0.0.19:25  inet n   -       n       -       -       smtpd
  -o syslog_name=postfix-faults/mixed -o myhostname=mx.mixed.fault.example
  -o smtpd_recipient_restrictions=$mixed_restrictions
# utf8: SMTPUTF8, 8BITMIME, PIPELINING, CHUNKING, STARTTLS as Postfix ships them.
127.0.0.20:25  inet n   -       n       -       -       smtpd
  -o syslog_name=postfix-faults/utf8 -o myhostname=mx.utf8.fault.example
  -o smtputf8_enable=yes
# badtls: STARTTLS offered, but only TLS 1.0 enabled: a client offering TLS 1.2+ only
# (directmx, any JDK 21+ client) gets a protocol_version alert; plaintext still delivers.
127.0.0.21:25  inet n   -       n       -       -       smtpd
  -o syslog_name=postfix-faults/badtls -o myhostname=mx.badtls.fault.example
  -o smtpd_tls_protocols=TLSv1 -o smtpd_tls_mandatory_protocols=TLSv1
# limit: 452 4.5.3 "Too many recipients" after 2 in one transaction.
127.0.0.22:25  inet n   -       n       -       -       smtpd
  -o syslog_name=postfix-faults/limit -o myhostname=mx.limit.fault.example
  -o smtpd_recipient_limit=2
# size: announces SIZE 4096; MAIL with a larger SIZE= gets 552 5.3.4.
127.0.0.23:25  inet n   -       n       -       -       smtpd
  -o syslog_name=postfix-faults/size -o myhostname=mx.size.fault.example
  -o message_size_limit=4096
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
chown -R nobody:nogroup "$MAIL_DIR"

postfix -c "$PF_ETC" start >/dev/null 2>&1 || {
  script -qec "postfix -c $PF_ETC check" /dev/null </dev/null >&2 || true
  fail "postfix -c $PF_ETC start failed"
}

################################################################## smtp-sinks
# Each writes what it accepts to MAIL_DIR/NAME.fault.example/ (one file per message,
# smtp-sink's dump format: X-Client-Addr, X-Helo-Args, X-Mail-Args, X-Rcpt-Args,
# Received, then the message). Options with spaces are written with _ above.
for s in "${SINKS[@]}" ; do
  read -r name addr port opts <<<"$s"
  dump=$MAIL_DIR/$name.fault.example/
  mkdir -p "$dump"
  chown nobody:nogroup "$dump"
  args=()
  for o in $opts; do args+=("${o//_/ }"); done
  case "$addr" in
    *:*) family=-6 listen="[$addr]:$port" ;;
    *) family=-4 listen="$addr:$port" ;;
  esac
  spawn "sink-$name" smtp-sink -u nobody -v "$family" -h "mx.$name.fault.example" -d "$dump" \
    ${args[@]+"${args[@]}"} "$listen" 64
done

############################################################ blackhole, DNS proxy
read -r bh_name bh_addr bh_port <<<"$BLACKHOLE"
spawn "$bh_name" "$PYTHON" "$HELPERS/blackhole.py" --listen "$bh_addr:$bh_port" --pidfile "$PID_DIR/$bh_name.pid"
# Drops the connection in DATA the first time it sees a recipient, accepts it on the retry.
spawn droponce "$PYTHON" "$HELPERS/droponce.py" --listen "127.0.0.39:25" --maildir "$MAIL_DIR/droponce.fault.example"
spawn dnsproxy "$PYTHON" "$HELPERS/dnsproxy.py" --listen "$PROXY_ADDR:$PROXY_PORT" \
  --upstream "$NSD_HOST:$NSD_PORT" --pidfile "$PID_DIR/dnsproxy.pid"

################################################################# readiness
checks=(
  greylist,127.0.0.10,25,probe@greylist.fault.example
  starttls,127.0.0.17,587,ok
  smtps,127.0.0.18,465
  greet,127.0.0.19,25,220
  ehlo,127.0.0.20,25,SMTPUTF8
  starttls,127.0.0.21,25,fail
  greet,127.0.0.22,25,220
  ehlo,127.0.0.23,25,SIZE
  timeout,"$bh_addr","$bh_port"
  greet,127.0.0.39,25,220
)
for c in "${CLOSED[@]}"; do checks+=("refused,$c"); done
for s in "${SINKS[@]}"; do
  read -r name addr port opts <<<"$s"
  case "$name" in
    busy) checks+=("greet,$addr,$port,421") ;;
    silent) checks+=("silent,$addr,$port") ;;
    reject) checks+=("greet,$addr,$port,554") ;;
    noutf8) checks+=("ehlo,$addr,$port,!SMTPUTF8") ;;
    no8bit) checks+=("ehlo,$addr,$port,!8BITMIME") ;;
    noehlo) checks+=("greet,$addr,$port,220") ;;
    *) checks+=("greet,$addr,$port,220") ;;
  esac
done
"$PYTHON" "$HELPERS/check.py" --wait "$WAIT_SECONDS" "${checks[@]}" || fail "fault peers not ready after ${WAIT_SECONDS}s"
dns_ok() { # server port name type expected
  dig @"$1" -p "$2" +time=1 +tries=1 "$3" "$4" 2>/dev/null | grep -q "status: $5"
}
deadline=$((SECONDS + WAIT_SECONDS))
until dns_ok "$PROXY_ADDR" "$PROXY_PORT" greylist.fault.example MX NOERROR \
   && dns_ok "$PROXY_ADDR" "$PROXY_PORT" servfail.fault.example A SERVFAIL; do
  [ "$SECONDS" -lt "$deadline" ] || fail "DNS proxy on $PROXY_ADDR:$PROXY_PORT not answering"
  sleep 0.2
done

# The pids: Postfix's master from its pid file; every spawned one must still run.
PF_PID=$(read_pid "$PF_QUEUE/pid/master.pid") || fail "postfix wrote no pid file"
for f in "$PID_DIR"/*.pid; do
  is_ours "$(read_pid "$f")" || fail "$(basename "$f" .pid) is not running"
done
pid_of() { read_pid "$PID_DIR/$1.pid"; }

################################################################### faults.env
{
  echo "# Written by scripts/peers/faults.sh start; removed by stop. Domains: scripts/peers/faults/README.md"
  echo "DIRECTMX_FAULTS_DIR=$FDIR"
  echo "DIRECTMX_FAULTS_MAIL=$MAIL_DIR"
  echo "DIRECTMX_FAULTS_DNS=$NSD_HOST:$NSD_PORT"
  echo "DIRECTMX_FAULTS_DNS_PROXY=$PROXY_ADDR:$PROXY_PORT"
  echo "DIRECTMX_FAULTS_SERVFAIL_DOMAIN=servfail.fault.example"
  echo "DIRECTMX_FAULTS_DNS_TIMEOUT_DOMAIN=timeout.fault.example"
  echo "DIRECTMX_FAULTS_REFUSED_DOMAIN=refused.invalid"
  echo "DIRECTMX_FAULTS_NXDOMAIN_DOMAIN=nosuch.fault.example"
  echo "DIRECTMX_FAULTS_NULLMX_DOMAIN=nullmx.fault.example"
  echo "DIRECTMX_FAULTS_DANGLING_DOMAIN=dangling.fault.example"
  echo "DIRECTMX_FAULTS_MXSERVFAIL_DOMAIN=mxservfail.fault.example"
  echo "DIRECTMX_FAULTS_GREYLIST_DELAY=$GREY_DELAY"
  echo "DIRECTMX_FAULTS_POSTGREY=$POSTGREY_ADDR:$POSTGREY_PORT"
  echo "DIRECTMX_FAULTS_POSTGREY_LOG=$FDIR/logs/postgrey.log"
  echo "DIRECTMX_FAULTS_POSTFIX_CONFIG=$PF_ETC"
  echo "DIRECTMX_FAULTS_POSTFIX_LOG=$FDIR/postfix.log"
  echo "DIRECTMX_FAULTS_POSTFIX_CERT=$TLS_DIR/mx.fault.example.crt"
  echo "DIRECTMX_FAULTS_POSTFIX_PID=$PF_PID"
  echo "DIRECTMX_FAULTS_POSTGREY_PID=$(pid_of postgrey)"
  echo "DIRECTMX_FAULTS_DNSPROXY_PID=$(pid_of dnsproxy)"
  for l in "${PF_LISTENERS[@]}"; do
    read -r name addr port <<<"$l"
    up=${name^^}
    echo "DIRECTMX_FAULTS_${up}_DOMAIN=$name.fault.example"
    echo "DIRECTMX_FAULTS_${up}_HOST=$addr"
    echo "DIRECTMX_FAULTS_${up}_PORT=$port"
    echo "DIRECTMX_FAULTS_${up}_MAIL=$MAIL_DIR/$name.fault.example/new"
  done
  for s in "${SINKS[@]}"; do
    read -r name addr port _ <<<"$s"
    up=${name^^}
    echo "DIRECTMX_FAULTS_${up}_DOMAIN=$name.fault.example"
    echo "DIRECTMX_FAULTS_${up}_HOST=$addr"
    echo "DIRECTMX_FAULTS_${up}_PORT=$port"
    echo "DIRECTMX_FAULTS_${up}_MAIL=$MAIL_DIR/$name.fault.example"
    echo "DIRECTMX_FAULTS_${up}_LOG=$FDIR/logs/sink-$name.log"
    echo "DIRECTMX_FAULTS_${up}_PID=$(pid_of "sink-$name")"
  done
  echo "DIRECTMX_FAULTS_NOLISTING_DEAD_HOST=127.0.0.11"
  echo "DIRECTMX_FAULTS_DEADMX_DEAD_HOSTS=127.0.0.13,127.0.0.14"
  echo "DIRECTMX_FAULTS_BLACKHOLE_DOMAIN=blackhole.fault.example"
  echo "DIRECTMX_FAULTS_BLACKHOLE_HOST=$bh_addr"
  echo "DIRECTMX_FAULTS_BLACKHOLE_PORT=$bh_port"
  echo "DIRECTMX_FAULTS_BLACKHOLE_PID=$(pid_of blackhole)"
  echo "DIRECTMX_FAULTS_DROPONCE_DOMAIN=droponce.fault.example"
  echo "DIRECTMX_FAULTS_DROPONCE_HOST=127.0.0.39"
  echo "DIRECTMX_FAULTS_DROPONCE_PORT=25"
  echo "DIRECTMX_FAULTS_DROPONCE_MAIL=$MAIL_DIR/droponce.fault.example"
  echo "DIRECTMX_FAULTS_DROPONCE_PID=$(pid_of droponce)"
} >"$ENV_FILE"

echo "faults up: postfix pid $PF_PID (127.0.0.10,.17-.23), postgrey $POSTGREY_ADDR:$POSTGREY_PORT (delay ${GREY_DELAY}s)," \
     "${#SINKS[@]} smtp-sinks, blackhole $bh_addr:$bh_port, dns proxy $PROXY_ADDR:$PROXY_PORT -> $NSD; env $ENV_FILE"
