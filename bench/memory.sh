#!/usr/bin/env bash
# Peak RSS and heap of a 10 x 200 KB batch with attachments in a 256 MB function's JVM, and the artifact size.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: bench/memory.sh [--runs N] [--memory-mb MB] [--out DIR]

Runs SqsDeliveryHandler from target/directmx-lambda.jar alone on one batch of 10 messages of
about 200 KB each (text, html, a 145 KB binary attachment and a CSV), in N fresh JVMs (default
3) per configuration:
  lambda-MB   the heap/metaspace/code cache the Lambda Java runtime sets for MB (default 256):
              85/10/5 % of it, SerialGC, plus the template's JAVA_TOOL_OPTIONS
  MaxRAM=MBm  the JVM's own ergonomics for a machine of MB
Reports peak RSS (VmHWM), peak heap (MemoryMXBean pools and -Xlog:gc), whether it fits MB, and
the size of target/directmx-lambda.jar (target: under 20 MB). Servers as in coldstart.sh.
Writes bench/results/memory.md and memory.json.
USAGE
}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=3
memory=256
out=bench/results
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --memory-mb) memory=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 64 ;;
    esac
done

source bench/lib/prereqs.sh
bench_require_jars
bench_require_dynalite

echo "memory: $runs runs per configuration, ${memory} MB function, results in $out" >&2
echo "heap the JVM's ergonomics give -XX:MaxRAM=${memory}m:" \
    "$("$java" -XX:MaxRAM="${memory}m" -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2=="MaxHeapSize"{printf "%.0f MB", $4/1048576}')" >&2
exec "$java" -cp target/directmx.jar bench/src/LambdaBench.java memory --runs "$runs" --memory-mb "$memory" \
    --out "$out" --command "bench/memory.sh --runs $runs"
