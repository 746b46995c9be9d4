#!/usr/bin/env bash
# Round trips per message and messages per second per connection through a 25 ms-each-way delay.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: bench/latency.sh [--messages K] [--delay-ms MS] [--reuse] [--out DIR]

Puts bench/src/DelayProxy.java (every chunk delayed MS ms, default 25, each way, order kept)
in front of two Postfix smtp-sink servers, one announcing PIPELINING and one not (-p), and
delivers K messages (default 10) to each with directmx, resolving through a sandbox DNS zone
(bench/src/ZoneServer.java): pipe.example -> proxy on 127.0.0.3, nopipe.example -> proxy on
127.0.0.4. The proxy counts round trips (client bursts answered by the server) per connection
and classes them as setup (EHLO/HELO/STARTTLS), quit, or message (MAIL, RCPT, DATA, content).

Modes:
  default   K separate `java -jar target/directmx.jar send` runs: one message per session
            (each send is its own process, so nothing can be reused).
  --reuse   also one `directmx worker --until-empty` draining a queue (ElasticMQ, SqsHelper) of
            K messages to each domain, one record at a time (DIRECTMX_CONCURRENCY=1), so the
            messages after the first go over the reused connection: fewer connections, and
            the per-message round trips of a reused, pipelined session.

Writes bench/results/latency.md and latency.json; raw proxy logs (one JSON line per
connection) go to bench/results/latency-*.jsonl. Needs smtp-sink (postfix) and jq.
USAGE
}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
messages=10
delay=25
reuse=no
out=bench/results
while [ $# -gt 0 ]; do
    case "$1" in
        --messages) messages=$2; shift 2 ;;
        --delay-ms) delay=$2; shift 2 ;;
        --reuse) reuse=yes; shift ;;
        --out) out=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 64 ;;
    esac
done
command_line="bench/latency.sh --messages $messages --delay-ms $delay$([ $reuse = yes ] && echo ' --reuse' || true)"

source bench/lib/prereqs.sh
bench_require_jars target/directmx.jar
command -v smtp-sink >/dev/null || { echo "smtp-sink (postfix) is not installed" >&2; exit 69; }
command -v jq >/dev/null || { echo "jq is not installed" >&2; exit 69; }

work=$(mktemp -d /tmp/directmx-latency.XXXXXX)
pids=()
sqs_fifo_fd=""
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

progress() { echo "[$(date +%T)] $*" >&2; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until FILE has a line starting with PREFIX and prints it.
await_line() {
    local file=$1 prefix=$2
    for _ in $(seq 1 300); do
        if grep -q "^$prefix" "$file" 2>/dev/null; then grep -m1 "^$prefix" "$file"; return 0; fi
        sleep 0.1
    done
    echo "timed out waiting for '$prefix' in $file:" >&2; cat "$file" >&2; return 1
}

mx_port=$(free_port)
sink_pipe=$(free_port)
sink_nopipe=$(free_port)
progress "smtp-sink with PIPELINING on 127.0.0.1:$sink_pipe, without (-p) on 127.0.0.1:$sink_nopipe"
smtp-sink -u nobody -h sink.pipe.example 127.0.0.1:"$sink_pipe" 64 > "$work/sink-pipe.log" 2>&1 &
pids+=($!)
smtp-sink -u nobody -p -h sink.nopipe.example 127.0.0.1:"$sink_nopipe" 64 > "$work/sink-nopipe.log" 2>&1 &
pids+=($!)

mkdir -p "$out"
rm -f "$out"/latency-*.jsonl
progress "delay proxies (+${delay} ms each way): 127.0.0.3:$mx_port -> sink with PIPELINING, 127.0.0.4:$mx_port -> without"
"$java" bench/src/DelayProxy.java --listen 127.0.0.3:"$mx_port" --target 127.0.0.1:"$sink_pipe" --delay-ms "$delay" \
    --log "$work/pipe.jsonl" > "$work/proxy-pipe.out" 2>&1 &
pids+=($!)
"$java" bench/src/DelayProxy.java --listen 127.0.0.4:"$mx_port" --target 127.0.0.1:"$sink_nopipe" --delay-ms "$delay" \
    --log "$work/nopipe.jsonl" > "$work/proxy-nopipe.out" 2>&1 &
pids+=($!)
"$java" -cp target/directmx.jar bench/src/ZoneServer.java pipe.example=127.0.0.3 nopipe.example=127.0.0.4 \
    > "$work/dns.out" 2>&1 &
pids+=($!)
await_line "$work/proxy-pipe.out" listening >/dev/null
await_line "$work/proxy-nopipe.out" listening >/dev/null
dns=$(await_line "$work/dns.out" dns | cut -d' ' -f2)
progress "sandbox DNS on $dns"

# Moves the proxy log of the run just finished to its own file (the proxies append per connection).
collect() {
    local name=$1 domain=$2 src
    src="$work/$([ "$domain" = pipe.example ] && echo pipe || echo nopipe).jsonl"
    sleep $(awk "BEGIN{print ($delay*4+200)/1000}")   # let the last connection close through the delay
    touch "$src"
    mv "$src" "$out/latency-$name.jsonl"
}

declare -A wall
for domain in pipe.example nopipe.example; do
    name="send-${domain%%.example}"
    progress "$name: $messages x directmx send (one message per session) to $domain"
    start=$(date +%s.%N)
    for i in $(seq 1 "$messages"); do
        if ! "$java" -jar target/directmx.jar send --from sender@example.com --to "user$i@$domain" \
                --subject "latency $i" --text "Hello $i" --dns "$dns" --ports "$mx_port" --fallback-ports none \
                --helo client.example.com --allow-private --json > "$work/send-$i.json" 2> "$work/send-$i.err"; then
            echo "send $i failed:" >&2; cat "$work/send-$i.json" "$work/send-$i.err" >&2; exit 70
        fi
        printf '.' >&2
    done
    echo >&2
    wall[$name]=$(echo "$(date +%s.%N) - $start" | bc)
    collect "$name" "$domain"
done

if [ "$reuse" = yes ]; then
    for domain in pipe.example nopipe.example; do
        name="worker-${domain%%.example}"
        cat > "$work/body.json" <<JSON
{"id": "latency-$name-@N@", "from": "sender@example.com", "to": ["user@N@@$domain"],
 "subject": "latency @N@", "text": "Hello @N@"}
JSON
        mkfifo "$work/sqs-in-$name"
        "$java" -cp target/directmx.jar bench/src/SqsHelper.java --enqueue "$work/body.json" --count "$messages" \
            < "$work/sqs-in-$name" > "$work/sqs-$name.out" 2> "$work/sqs-$name.err" &
        sqs_pid=$!
        pids+=($sqs_pid)
        exec {sqs_fd}> "$work/sqs-in-$name"    # holds the helper's stdin open until we close it
        read -r _ endpoint queue dlq < <(await_line "$work/sqs-$name.out" sqs)
        await_line "$work/sqs-$name.out" enqueued >/dev/null
        progress "$name: directmx worker --until-empty draining $messages messages to $domain"
        start=$(date +%s.%N)
        # One record at a time (DIRECTMX_CONCURRENCY=1): the messages follow one another, so the
        # connection kept from one is the one the next reuses, and the per-message round trips
        # are those of a reused, pipelined session. In parallel each would open its own.
        AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_ENDPOINT_URL_SQS="$endpoint" \
        DIRECTMX_PORTS="$mx_port" DIRECTMX_FALLBACK_PORTS=none DIRECTMX_CONCURRENCY=1 \
            "$java" -jar target/directmx.jar worker --queue-url "$queue" --dead-letter-queue-url "$dlq" \
            --helo client.example.com --store-file "$work/store-$name.db" --dns "$dns" --allow-private \
            --until-empty --wait 1s > "$work/worker-$name.out" 2>&1 \
            || { echo "worker failed:" >&2; cat "$work/worker-$name.out" >&2; exit 70; }
        wall[$name]=$(echo "$(date +%s.%N) - $start" | bc)
        exec {sqs_fd}>&-
        wait "$sqs_pid" 2>/dev/null || true
        collect "$name" "$domain"
    done
fi

# Summaries: one object per run from the proxy's per-connection lines.
summary() {
    local name=$1 file="$out/latency-$1.jsonl"
    jq -s --arg name "$name" --argjson wall "${wall[$name]}" --argjson delay "$delay" '
      def median: sort | if length == 0 then null elif length % 2 == 1 then .[length/2|floor]
                         else (.[length/2-1] + .[length/2]) / 2 end;
      (map(select(.messages > 0))) as $c |
      { run: $name, delayMsEachWay: $delay, connections: length, messages: (map(.messages) | add),
        roundTrips: (map(.roundTrips) | add), setupRoundTrips: (map(.setupRoundTrips) | add),
        quitRoundTrips: (map(.quitRoundTrips) | add), messageRoundTrips: (map(.messageRoundTrips) | add),
        messageRoundTripsPerMessage: ((map(.messageRoundTrips) | add) / ([(map(.messages) | add), 1] | max)),
        roundTripsPerConnection: { median: (map(.roundTrips) | median), min: (map(.roundTrips) | min), max: (map(.roundTrips) | max) },
        messagesPerSecondPerConnection: { median: ($c | map(.messages / .durationMs * 1000) | median),
                                          min: ($c | map(.messages / .durationMs * 1000) | min),
                                          max: ($c | map(.messages / .durationMs * 1000) | max) },
        connectionMs: { median: (map(.durationMs) | median), min: (map(.durationMs) | min), max: (map(.durationMs) | max) },
        wallSeconds: $wall,
        tripsOfFirstConnection: (.[0].trips // []) }' "$file"
}

runs=(send-pipe send-nopipe)
[ "$reuse" = yes ] && runs+=(worker-pipe worker-nopipe)
for r in "${runs[@]}"; do summary "$r"; done | jq -s --arg cmd "$command_line" '{command: $cmd, runs: .}' > "$out/latency.json"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
    echo "## Latency sensitivity (+${delay} ms each way through DelayProxy)"
    echo
    echo "Command: \`$command_line\`"
    echo
    echo "- nproc: $(nproc); CPU: $cpu; $(head -1 /proc/meminfo | tr -s ' '); kernel $(uname -r)"
    echo "- JDK: $("$java" -version 2>&1 | sed -n 2p)"
    echo "- Server: Postfix \`smtp-sink\` (no STARTTLS offered), with PIPELINING and with \`-p\` (none). A round trip is a client burst"
    echo "  answered by the server, counted per connection by the proxy; setup = EHLO/HELO/STARTTLS, quit = QUIT, the rest is"
    echo "  the message's (MAIL, RCPT, DATA, content). The greeting is not a client burst, so it is not counted."
    echo
    echo "| run | PIPELINING | connections | messages | round trips (setup / message / quit) | message round trips per message | messages/s per connection, median (min–max) | connection ms, median (min–max) | wall s |"
    echo "|---|---|---|---|---|---|---|---|---|"
    jq -r '.runs[] | "| \(.run) | \(if (.run|endswith("nopipe")) then "no" else "yes" end) | \(.connections) | \(.messages) | \(.roundTrips) (\(.setupRoundTrips) / \(.messageRoundTrips) / \(.quitRoundTrips)) | \(.messageRoundTripsPerMessage*100|round/100) | \(.messagesPerSecondPerConnection.median*100|round/100) (\(.messagesPerSecondPerConnection.min*100|round/100)–\(.messagesPerSecondPerConnection.max*100|round/100)) | \(.connectionMs.median|round) (\(.connectionMs.min|round)–\(.connectionMs.max|round)) | \(.wallSeconds*10|round/10) |"' "$out/latency.json"
    echo
    echo "Round trips of the first connection of each run (first command of each client burst):"
    echo
    jq -r '.runs[] | "- \(.run): \(.tripsOfFirstConnection | join(" → "))"' "$out/latency.json"
    echo
    echo "Target (issue 6): at most 2 round trips per message on a reused, pipelined connection after the first."
    if [ "$reuse" = yes ]; then
        echo "The worker runs deliver the K messages one after another in one process, so every message after the first"
        echo "goes over the connection the previous one left in the pool: setup and QUIT are paid once per connection."
    else
        echo "Run with \`--reuse\` to see connection reuse: the worker runs send all K messages in one process."
    fi
} > "$out/latency.md"
progress "wrote $out/latency.md, latency.json and latency-*.jsonl"
cat "$out/latency.md"
