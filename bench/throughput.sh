#!/usr/bin/env bash
# The throughput benchmark of issue 6: directmx against Postfix and Postfix's smtp-source, side by
# side, on this machine, in one run. See bench/README.md for what is measured and why.
#
#   bench/throughput.sh [--messages N] [--runs R] [--only NAME] [--concurrency C] [--pollers P]
#                       [--work-dir DIR] [--results DIR]
#
# Everything runs inside the network namespace directmx-bench, which this script creates and
# deletes: NSD on 127.0.0.1:53 serving the 50 recipient domains, ten smtp-sinks on
# 127.0.1.1-10:25, and every contender under `ip netns exec`. Needs root.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
NETNS=directmx-bench
NETNS_ETC=/etc/netns/$NETNS
CONTENDERS=(directmx-dynamo directmx-sqlite postfix smtp-source)
SINKS=10
TABLE=directmx-bench
DYNALITE_PORT=8000
# The Postfix injector's SMTP sessions: enough that intake is never what Postfix waits for.
INJECT_CONNECTIONS=8

MESSAGES=20000
RUNS=3
ONLY=""
CONCURRENCY=20
POLLERS=""
JFR=""
WORKER_JAVA_OPTS=()   # empty: the launcher's own default flags
WORK_DIR=/var/tmp/directmx-bench
RESULTS_DIR=$BENCH_DIR/results

usage() {
  cat <<EOF
usage: bench/throughput.sh [options]

Measures messages/s and CPU-seconds per 1000 messages for, in each run:
  directmx-dynamo   directmx worker draining ElasticMQ, outcomes in dynalite
  directmx-sqlite   the same with the embedded SQLite store (--store-file)
  postfix           a private Postfix instance (default destination concurrency 20) relaying
                    the same messages, injected through its SMTP server
  smtp-source       Postfix's smtp-source sending the same transactions straight to the
                    sinks, 20 sessions in total: the ceiling
All inside the network namespace $NETNS (NSD on 127.0.0.1:53, smtp-sinks on 127.0.1.x:25).

options:
  --messages N     messages per run (default $MESSAGES); one in ten has three recipients
  --runs R         runs of each contender (default $RUNS); medians are reported
  --only NAME      run one contender: ${CONTENDERS[*]}
  --concurrency C  DIRECTMX_CONCURRENCY for the worker (default $CONCURRENCY, like Postfix's
                   default_destination_concurrency_limit and smtp-source's 20 sessions)
  --pollers P      the worker's --pollers (default: the worker's own default)
  --worker-java-opts "OPTS"
                   the worker's JVM options instead of bin/directmx's default (DIRECTMX_JAVA_OPTS;
                   "" for the JVM's defaults), to compare
  --jfr            record the worker with Java Flight Recorder (settings=profile) to
                   WORK_DIR/runs/*/worker.jfr, for 'jfr print' or JDK Mission Control;
                   the recorder costs a few per cent, so figures from such runs are not reported
  --work-dir DIR   state, logs and raw results (default $WORK_DIR; wiped at start)
  --results DIR    where throughput.md and throughput.json go (default bench/results)
  --help           this text

Needs root, Postfix (postfix, smtp-sink, smtp-source), NSD, Node (dynalite from infra/) and
JDK 21+ (JAVA_HOME, or found as scripts/jdk.sh finds it). Builds target/*.jar if missing.
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --messages) MESSAGES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --pollers) POLLERS=$2; shift 2 ;;
    --jfr) JFR=1; shift ;;
    --worker-java-opts) WORKER_JAVA_OPTS=(DIRECTMX_JAVA_OPTS="$2"); shift 2 ;;
    --work-dir) WORK_DIR=$2; shift 2 ;;
    --results) RESULTS_DIR=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "throughput.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
  esac
done
[[ $MESSAGES =~ ^[1-9][0-9]*$ ]] || { echo "throughput.sh: --messages must be a positive integer" >&2; exit 64; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "throughput.sh: --runs must be a positive integer" >&2; exit 64; }
[[ $CONCURRENCY =~ ^[1-9][0-9]*$ ]] || { echo "throughput.sh: --concurrency must be a positive integer" >&2; exit 64; }
[[ -z $POLLERS || $POLLERS =~ ^[1-9][0-9]*$ ]] || { echo "throughput.sh: --pollers must be a positive integer" >&2; exit 64; }
if [ -n "$ONLY" ]; then
  case " ${CONTENDERS[*]} " in *" $ONLY "*) CONTENDERS=("$ONLY") ;;
    *) echo "throughput.sh: --only takes one of: ${CONTENDERS[*]}" >&2; exit 64 ;; esac
fi
[ "$(id -u)" -eq 0 ] || { echo "throughput.sh: must run as root (ip netns, port 25, Postfix)" >&2; exit 1; }

# shellcheck source=../scripts/jdk.sh
source "$REPO_ROOT/scripts/jdk.sh"
directmx_select_jdk
JAVA=$JAVA_HOME/bin/java
JAR=$REPO_ROOT/target/directmx.jar
DYNALITE=$REPO_ROOT/infra/node_modules/dynalite/cli.js
for tool in ip nsd nsd-checkzone dig postfix postconf smtp-sink smtp-source node python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "throughput.sh: $tool missing" >&2; exit 1; }
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
now() { date +%s.%N; }
NS=(ip netns exec "$NETNS")

###################################################################### processes
# Every server this script starts is recorded here and stopped by its PID.
declare -A STARTED=()   # pid -> name

gone() { [ ! -d "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
end_pid() { # pid: SIGTERM, up to 10 s, then SIGKILL
  local i
  kill -TERM "$1" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do gone "$1" && break; sleep 0.1; done
  gone "$1" || { kill -KILL "$1" 2>/dev/null || true; sleep 0.2; }
  wait "$1" 2>/dev/null || true
}
stop() { # pid
  [ -n "${STARTED[$1]:-}" ] || return 0
  end_pid "$1"
  unset "STARTED[$1]"
}
start_bg() { # name logfile command...: starts a server in the namespace, records its PID
  local name=$1 out=$2
  shift 2
  "${NS[@]}" "$@" >"$out" 2>&1 &
  STARTED[$!]=$name
  LAST_PID=$!
}

# Output captured, not piped into grep -q (under pipefail an early exit can fail the producer).
namespace_exists() { local names; names=$(ip netns list | awk '{print $1}'); grep -qxF "$NETNS" <<<"$names"; }

# Stops what this script started, then anything left in the namespace (each by PID: a
# Postfix daemon whose master is gone, a leftover from an unclean earlier run), then deletes
# the namespace and its /etc/netns directory.
cleanup() {
  local pid
  for pid in "${!STARTED[@]}"; do end_pid "$pid"; done
  STARTED=()
  if namespace_exists; then
    for pid in $(ip netns pids "$NETNS" 2>/dev/null); do end_pid "$pid"; done
    ip netns delete "$NETNS"
  fi
  rm -rf "$NETNS_ETC"
}
on_exit() {
  local rc=$?
  cleanup
  [ "$rc" -eq 0 ] || log "exit $rc; logs in $WORK_DIR"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

cpu_ticks() { python3 "$BENCH_DIR/lib/cpu_ticks.py" "$@"; }
CLK_TCK=$(getconf CLK_TCK)
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ticks_secs() { awk -v a="$1" -v b="$2" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }'; }

wait_for() { # seconds description command...: polls every 0.1 s
  local seconds=$1 what=$2 i
  shift 2
  for ((i = 0; i < seconds * 10; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "$what not ready after ${seconds}s"
}
smtp_ready() { # addr: a 220 greeting inside the namespace
  "${NS[@]}" timeout 3 bash -c "exec 3<>/dev/tcp/$1/25; IFS= read -r l <&3; printf 'QUIT\r\n' >&3; [[ \$l == 220* ]]"
}
port_open() { "${NS[@]}" timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2"; }

##################################################################### the stage
setup_stage() {
  cleanup
  rm -rf "$WORK_DIR"
  mkdir -p "$WORK_DIR"/{nsd,sinks,runs,postfix}
  # Postfix's daemons run as user postfix and must reach its queue and log here.
  chmod 755 "$WORK_DIR"

  if [ ! -f "$JAR" ]; then
    log "building the jars (mvn -B -o -q package -DskipTests)"
    (cd "$REPO_ROOT" && mvn -B -o -q package -DskipTests) || die "build failed"
  fi
  if [ ! -f "$DYNALITE" ]; then
    log "installing dynalite (npm ci --prefix infra)"
    npm ci --prefix "$REPO_ROOT/infra" >/dev/null || die "npm ci failed"
  fi

  log "network namespace $NETNS"
  ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
  mkdir -p "$NETNS_ETC"
  printf '# Written by bench/throughput.sh: NSD in this namespace.\nnameserver 127.0.0.1\n' >"$NETNS_ETC/resolv.conf"

  start_nsd
  start_sinks
  "${NS[@]}" "$JAVA" -cp "$JAR" "$BENCH_DIR/src/Workload.java" plan "$MESSAGES" >"$WORK_DIR/plan.env"
  # shellcheck disable=SC1091
  . "$WORK_DIR/plan.env"
  "${NS[@]}" "$JAVA" -cp "$JAR" "$BENCH_DIR/src/Workload.java" message-file "$WORK_DIR/smtp-source.msg"
  log "workload: $MESSAGES messages, $PLAN_RECIPIENTS recipients (= SMTP transactions) over 50 domains and $SINKS sinks"
}

# The 50 recipient domains dDD.bench.example, each with one MX mxDD whose address is the sink
# 127.0.1.((DD mod 10) + 1), as bench/src/Workload.java assumes.
start_nsd() {
  local dir=$WORK_DIR/nsd d
  mkdir -p "$dir/xfr"
  {
    echo '$ORIGIN bench.example.'
    echo '$TTL 3600'
    echo '@ SOA ns.bench.example. hostmaster.bench.example. ( 1 3600 600 86400 300 )'
    echo '@ NS ns'
    echo 'ns A 127.0.0.1'
    for ((d = 0; d < 50; d++)); do
      printf 'd%02d MX 10 mx%02d\nmx%02d A 127.0.1.%d\n' "$d" "$d" "$d" $((d % SINKS + 1))
    done
  } >"$dir/bench.example.zone"
  nsd-checkzone bench.example "$dir/bench.example.zone" >/dev/null || die "zone invalid"
  cat >"$dir/nsd.conf" <<EOF
# Generated by bench/throughput.sh.
server:
    ip-address: 127.0.0.1
    port: 53
    do-ip6: no
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$dir"
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir/xfr"
    pidfile: "$dir/nsd.pid"
    logfile: "$dir/nsd.log"
    server-count: 1
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: "bench.example"
    zonefile: "bench.example.zone"
EOF
  # -d: in the foreground, so that the PID we record is NSD's.
  start_bg nsd "$dir/nsd.out" nsd -d -c "$dir/nsd.conf"
  NSD_PID=$LAST_PID
  wait_for 20 "NSD" bash -c "${NS[*]} dig @127.0.0.1 +time=1 +tries=1 +short d49.bench.example MX | grep -q mx49"
  log "NSD on 127.0.0.1:53 (pid $NSD_PID): $("${NS[@]}" dig +short d07.bench.example MX) -> $("${NS[@]}" dig +short mx07.bench.example A)"
}

# smtp-sink answers at once (no -w/-W delays), announces PIPELINING and 8BITMIME (its default),
# and -c keeps running counters: "mesg=" counts completed transactions.
start_sinks() {
  local k
  SINK_PIDS=()
  for ((k = 1; k <= SINKS; k++)); do
    start_bg "sink$k" "$WORK_DIR/sinks/sink$k.out" smtp-sink -c -u postfix "127.0.1.$k:25" 1000
    SINK_PIDS+=("$LAST_PID")
  done
  for ((k = 1; k <= SINKS; k++)); do wait_for 20 "smtp-sink 127.0.1.$k" smtp_ready "127.0.1.$k"; done
  log "$SINKS smtp-sinks on 127.0.1.1-$SINKS:25 (pids ${SINK_PIDS[*]})"
}

sink_count() { # k: transactions sink k has completed so far
  awk 'BEGIN { RS = "\r"; n = 0 } /mesg=/ { sub(/.*mesg=/, ""); n = $0 + 0 } END { print n }' "$WORK_DIR/sinks/sink$1.out"
}
sink_counts() { local k; for ((k = 1; k <= SINKS; k++)); do printf '%s ' "$(sink_count "$k")"; done; }
# The counts once the sinks have printed their last counter: a sink writes it just after the
# transaction's reply, which a fast client may have read first. Waits until two readings
# 0.3 s apart agree, for at most 5 s.
settled_sink_counts() {
  local previous current i
  previous=$(sink_counts)
  for ((i = 0; i < 17; i++)); do
    sleep 0.3
    current=$(sink_counts)
    [ "$current" = "$previous" ] && break
    previous=$current
  done
  printf '%s' "$previous"
}
# Compares two sink_counts with the plan: sets DELIVERED (the total) and SINK_PROBLEM (empty
# when every sink received exactly its planned transactions).
check_sinks() { # before after
  local k want got
  local -a before=($1) after=($2)
  DELIVERED=0
  SINK_PROBLEM=""
  for ((k = 1; k <= SINKS; k++)); do
    want=PLAN_SINK_$k
    got=$((after[k - 1] - before[k - 1]))
    DELIVERED=$((DELIVERED + got))
    [ "$got" -eq "${!want}" ] || SINK_PROBLEM="${SINK_PROBLEM:+$SINK_PROBLEM; }sink $k received $got, expected ${!want}"
  done
}
problem() { SINK_PROBLEM="${SINK_PROBLEM:+$SINK_PROBLEM; }$*"; }

record() { # JSON object: one run's raw figures
  echo "$1" >>"$WORK_DIR/runs.jsonl"
}

####################################################################### directmx
run_directmx() { # store(dynamo|sqlite) run
  local store=$1 run=$2 name=directmx-$1 dir=$WORK_DIR/runs/directmx-$1-$2
  mkdir -p "$dir"
  local dynalite_pid="" store_args
  if [ "$store" = dynamo ]; then
    start_bg dynalite "$dir/dynalite.log" node "$DYNALITE" --host 127.0.0.1 --port "$DYNALITE_PORT" \
      --createTableMs 0 --deleteTableMs 0 --updateTableMs 0
    dynalite_pid=$LAST_PID
    wait_for 30 dynalite port_open 127.0.0.1 "$DYNALITE_PORT"
    "${NS[@]}" "$JAVA" -cp "$JAR" "$BENCH_DIR/src/CreateTable.java" "http://127.0.0.1:$DYNALITE_PORT" "$TABLE" \
      >>"$dir/setup.log" 2>&1 || die "$name: CreateTable failed (see $dir/setup.log)"
    store_args=(--table "$TABLE")
  else
    store_args=(--store-file "$dir/outcomes.db")
  fi
  start_bg elasticmq "$dir/elasticmq.log" "$JAVA" -cp "$JAR" "$BENCH_DIR/src/QueueServer.java" "$dir/queue.env"
  local queue_pid=$LAST_PID
  wait_for 60 ElasticMQ test -s "$dir/queue.env"
  # shellcheck disable=SC1091
  . "$dir/queue.env"
  log "$name run $run: enqueueing $MESSAGES messages"
  "${NS[@]}" "$JAVA" -cp "$JAR" "$BENCH_DIR/src/Workload.java" enqueue "$MESSAGES" "$run" "$SQS_ENDPOINT" "$QUEUE_URL" \
    >>"$dir/setup.log" 2>&1 || die "$name: enqueue failed (see $dir/setup.log)"
  log "$name run $run: $(tail -n1 "$dir/setup.log")"

  local env=(env "${WORKER_JAVA_OPTS[@]}" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
    AWS_ENDPOINT_URL_SQS="$SQS_ENDPOINT" AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$DYNALITE_PORT"
    DIRECTMX_CONCURRENCY="$CONCURRENCY")
  # The worker runs as users run it: through bin/directmx, with its default JVM flags.
  local worker=("$REPO_ROOT/bin/directmx" worker --until-empty --queue-url "$QUEUE_URL" --dead-letter-queue-url "$DLQ_URL"
    --helo bench.example --dns 127.0.0.1:53 --allow-private "${store_args[@]}" ${POLLERS:+--pollers "$POLLERS"})
  local sinks0 q0 d0=0 t0 t1 q1 d1=0 sinks1
  sinks0=$(sink_counts)
  q0=$(cpu_ticks "$queue_pid")
  [ -z "$dynalite_pid" ] || d0=$(cpu_ticks "$dynalite_pid")
  log "$name run $run: worker started (DIRECTMX_CONCURRENCY=$CONCURRENCY${POLLERS:+, --pollers $POLLERS})"
  t0=$(now)
  "${NS[@]}" "${env[@]}" /usr/bin/time -o "$dir/worker.time" -f '%e %U %S' \
    ${JFR:+env "JAVA_TOOL_OPTIONS=-XX:StartFlightRecording=filename=$dir/worker.jfr,settings=profile"} \
    "${worker[@]}" >"$dir/worker.log" 2>&1 \
    || die "$name: worker failed (see $dir/worker.log)"
  t1=$(now)
  q1=$(cpu_ticks "$queue_pid")
  [ -z "$dynalite_pid" ] || d1=$(cpu_ticks "$dynalite_pid")
  sinks1=$(settled_sink_counts)

  check_sinks "$sinks0" "$sinks1"
  local summary
  summary=$(grep '^worker: [0-9]* done' "$dir/worker.log" | tail -n1)
  [[ $summary == "worker: $MESSAGES done, 0 to retry"* ]] || problem "worker said: $summary"
  # A sample of stored outcomes: the first message, a three-recipient one and the last.
  local i status_ok=0 status_checked=0
  for i in 0 9 $((MESSAGES - 1)); do
    status_checked=$((status_checked + 1))
    if "${NS[@]}" "${env[@]}" "$JAVA" -jar "$JAR" status "bench-$run-$i" --json "${store_args[@]}" >"$dir/status-$i.json" 2>&1 \
      && grep -q '"delivered"' "$dir/status-$i.json" && ! grep -qE '"(deferred|failed)"' "$dir/status-$i.json"; then
      status_ok=$((status_ok + 1))
    fi
  done
  [ "$status_ok" -eq "$status_checked" ] || problem "status: $status_ok of $status_checked samples delivered (see $dir/status-*.json)"

  # The worker's fixed cost: start-up plus the two empty receives that end --until-empty,
  # measured on the now empty queue.
  local e0 e1
  e0=$(now)
  "${NS[@]}" "${env[@]}" "${worker[@]}" >"$dir/worker-empty.log" 2>&1 || die "$name: worker on the empty queue failed"
  e1=$(now)

  stop "$queue_pid"
  [ -z "$dynalite_pid" ] || stop "$dynalite_pid"

  local wall worker_cpu queue_cpu store_cpu
  wall=$(secs "$t0" "$t1")
  worker_cpu=$(awk '{printf "%.2f", $2 + $3}' "$dir/worker.time")
  queue_cpu=$(ticks_secs "$q0" "$q1")
  store_cpu=$(ticks_secs "$d0" "$d1")
  record "{\"contender\":\"$name\",\"run\":$run,\"messages\":$MESSAGES,\"recipients\":$PLAN_RECIPIENTS,\"delivered\":$DELIVERED,\"wall_s\":$wall,\"cpu_s\":{\"worker\":$worker_cpu,\"elasticmq\":$queue_cpu,\"dynalite\":$store_cpu},\"worker_empty_queue_s\":$(secs "$e0" "$e1"),\"concurrency\":$CONCURRENCY,\"problem\":\"$SINK_PROBLEM\"}"
  log "$name run $run: ${wall}s wall, worker CPU ${worker_cpu}s, ElasticMQ ${queue_cpu}s, dynalite ${store_cpu}s; sinks got $DELIVERED of $PLAN_RECIPIENTS${SINK_PROBLEM:+ -- PROBLEM: $SINK_PROBLEM}"
}

######################################################################## Postfix
# A private instance: defaults except what the harness needs (own config, queue, data and log;
# no chroot, so that the smtp client reads the namespace's resolv.conf; listen on 127.0.0.1,
# relay for loopback). default_destination_concurrency_limit stays 20.
configure_postfix() {
  local pf=$WORK_DIR/postfix
  mkdir -p "$pf/etc"
  cp /etc/postfix/master.cf "$pf/etc/master.cf"
  cat >"$pf/etc/main.cf" <<EOF
# Generated by bench/throughput.sh.
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
myhostname = postfix.bench.example
mydestination =
inet_interfaces = 127.0.0.1
mynetworks = 127.0.0.0/8
# No local delivery here, and no /etc/aliases.db on a machine without a system Postfix.
alias_maps =
alias_database =
maillog_file = $pf/maillog
maillog_file_prefixes = $WORK_DIR
EOF
  postconf -c "$pf/etc" -F '*/*/chroot = n'
  POSTFIX_LIMITS=$(postconf -c "$pf/etc" default_destination_concurrency_limit default_process_limit \
    initial_destination_concurrency | tr '\n' ';')
}

run_postfix() { # run
  local run=$1 dir=$WORK_DIR/runs/postfix-$1 pf=$WORK_DIR/postfix
  mkdir -p "$dir"
  rm -rf "$pf/queue" "$pf/data"
  mkdir -p "$pf/queue"
  postconf -c "$pf/etc" -e "maillog_file = $dir/maillog"
  touch "$dir/maillog"
  "${NS[@]}" postfix -c "$pf/etc" start >"$dir/start.log" 2>&1 || die "postfix did not start (see $dir/start.log, $dir/maillog)"
  local master
  wait_for 20 "Postfix master" test -s "$pf/queue/pid/master.pid"
  master=$(tr -d ' \n' <"$pf/queue/pid/master.pid")
  STARTED[$master]=postfix-master
  wait_for 20 "Postfix smtpd" smtp_ready 127.0.0.1
  sleep 1 # let the start-up settle (qmgr, pickup, postlogd)

  local sinks0 c0 c1 sinks1
  sinks0=$(sink_counts)
  c0=$(cpu_ticks "$master")
  log "postfix run $run: injecting $MESSAGES messages over $INJECT_CONNECTIONS SMTP sessions"
  "${NS[@]}" "$JAVA" -cp "$JAR" "$BENCH_DIR/src/Workload.java" inject "$MESSAGES" "$run" 127.0.0.1 25 \
    "$INJECT_CONNECTIONS" "$dir/maillog" >"$dir/inject.env" 2>"$dir/inject.log" || die "injection failed (see $dir/inject.log)"
  c1=$(cpu_ticks "$master")
  sleep 0.5
  sinks1=$(settled_sink_counts)
  # shellcheck disable=SC1091
  . "$dir/inject.env"
  local smtp_procs
  smtp_procs=$(grep -o 'postfix/smtp\[[0-9]*\]' "$dir/maillog" | sort -u | wc -l)
  stop "$master"

  check_sinks "$sinks0" "$sinks1"
  [ "$LOG_SENT" -eq "$EXPECTED_SENT" ] || problem "log: $LOG_SENT sent of $EXPECTED_SENT, $LOG_DEFERRED deferred, $LOG_BOUNCED bounced"
  local wall inject_s cpu
  wall=$(awk -v a="$INJECT_START_MS" -v b="$LAST_SENT_MS" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
  inject_s=$(awk -v a="$INJECT_START_MS" -v b="$INJECT_END_MS" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
  cpu=$(ticks_secs "$c0" "$c1")
  record "{\"contender\":\"postfix\",\"run\":$run,\"messages\":$MESSAGES,\"recipients\":$PLAN_RECIPIENTS,\"delivered\":$DELIVERED,\"wall_s\":$wall,\"cpu_s\":{\"postfix\":$cpu},\"injection_s\":$inject_s,\"smtp_processes\":$smtp_procs,\"problem\":\"$SINK_PROBLEM\"}"
  log "postfix run $run: ${wall}s from first injection to last delivery (injection took ${inject_s}s), CPU ${cpu}s, $smtp_procs smtp(8) processes; sinks got $DELIVERED of $PLAN_RECIPIENTS${SINK_PROBLEM:+ -- PROBLEM: $SINK_PROBLEM}"
}

#################################################################### smtp-source
# The same transactions (one recipient each, the planned number per sink) sent straight to the
# sinks: two sessions per sink, 20 in all, each reusing its connection (-d).
run_smtp_source() { # run
  local run=$1 dir=$WORK_DIR/runs/smtp-source-$1 k
  mkdir -p "$dir"
  local script='pids=(); k=1; while [ $# -gt 0 ]; do
      smtp-source -s 2 -d -m "$1" -F "$MSG" -f sender@bench.example -M bench.example -t "rcpt@$2" "127.0.1.$k:25" &
      pids+=($!); k=$((k + 1)); shift 2; done
    rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done; exit $rc'
  local args=()
  for ((k = 1; k <= SINKS; k++)); do
    local count=PLAN_SINK_$k domain=PLAN_SINK_DOMAIN_$k
    args+=("${!count}" "${!domain}")
  done
  local sinks0 sinks1 t0 t1
  sinks0=$(sink_counts)
  log "smtp-source run $run: $PLAN_RECIPIENTS transactions, 2 sessions per sink"
  t0=$(now)
  "${NS[@]}" env MSG="$WORK_DIR/smtp-source.msg" /usr/bin/time -o "$dir/time" -f '%e %U %S' bash -c "$script" smtp-source "${args[@]}" \
    >"$dir/smtp-source.log" 2>&1 || die "smtp-source failed (see $dir/smtp-source.log)"
  t1=$(now)
  sleep 0.2
  sinks1=$(settled_sink_counts)
  local wall cpu
  check_sinks "$sinks0" "$sinks1"
  wall=$(secs "$t0" "$t1")
  cpu=$(awk '{printf "%.2f", $2 + $3}' "$dir/time")
  record "{\"contender\":\"smtp-source\",\"run\":$run,\"messages\":$MESSAGES,\"recipients\":$PLAN_RECIPIENTS,\"delivered\":$DELIVERED,\"wall_s\":$wall,\"cpu_s\":{\"smtp_source\":$cpu},\"problem\":\"$SINK_PROBLEM\"}"
  log "smtp-source run $run: ${wall}s, CPU ${cpu}s; sinks got $DELIVERED of $PLAN_RECIPIENTS${SINK_PROBLEM:+ -- PROBLEM: $SINK_PROBLEM}"
}

######################################################################## the run
machine_facts() {
  local cpu ram jdk pf
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  ram=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  jdk=$("$JAVA" -version 2>&1 | head -n1)
  pf=$(postconf -d -h mail_version)
  python3 - "$(nproc)" "$cpu" "$ram" "$(uname -sr)" "$jdk" "$pf" "$(node --version)" "$POSTFIX_LIMITS" \
    "$(cd "$REPO_ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "$(if [ ${#WORKER_JAVA_OPTS[@]} -gt 0 ]; then echo "${WORKER_JAVA_OPTS[0]#DIRECTMX_JAVA_OPTS=}"; else sed -n 's/.*DIRECTMX_JAVA_OPTS-\([^}]*\)}.*/\1/p' "$REPO_ROOT/bin/directmx"; fi)" \
    <<'PY' >"$WORK_DIR/machine.json"
import json, sys
keys = ["nproc", "cpu", "ram", "kernel", "jdk", "postfix", "node", "postfix_limits", "commit", "worker_java_opts"]
print(json.dumps(dict(zip(keys, sys.argv[1:]))))
PY
}

COMMAND="bench/throughput.sh --messages $MESSAGES --runs $RUNS${ONLY:+ --only $ONLY}$([ "$CONCURRENCY" = 20 ] || echo " --concurrency $CONCURRENCY")${POLLERS:+ --pollers $POLLERS}"
[ ${#WORKER_JAVA_OPTS[@]} -eq 0 ] || COMMAND="$COMMAND --worker-java-opts \"${WORKER_JAVA_OPTS[0]#DIRECTMX_JAVA_OPTS=}\""
log "$COMMAND"
setup_stage
configure_postfix
machine_facts
: >"$WORK_DIR/runs.jsonl"
for ((run = 1; run <= RUNS; run++)); do
  for contender in "${CONTENDERS[@]}"; do
    case "$contender" in
      directmx-dynamo) run_directmx dynamo "$run" ;;
      directmx-sqlite) run_directmx sqlite "$run" ;;
      postfix) run_postfix "$run" ;;
      smtp-source) run_smtp_source "$run" ;;
    esac
  done
done
mkdir -p "$RESULTS_DIR"
python3 "$BENCH_DIR/lib/report.py" "$WORK_DIR/runs.jsonl" "$WORK_DIR/machine.json" "$COMMAND" "$RESULTS_DIR"
log "wrote $RESULTS_DIR/throughput.md and $RESULTS_DIR/throughput.json"
cat "$RESULTS_DIR/throughput.md"
if grep -q '"problem":"[^"]' "$WORK_DIR/runs.jsonl"; then
  die "some runs lost or duplicated messages; see \"problem\" in $RESULTS_DIR/throughput.json"
fi
