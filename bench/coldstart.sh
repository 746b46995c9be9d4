#!/usr/bin/env bash
# Cold start of the Lambda handler against a trivial handler, over fresh JVMs.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: bench/coldstart.sh [--jvms N] [--memory-mb MB] [--no-priming] [--from-jar] [--out DIR]

From JVM start to the handler's first finished batch of one message, over N fresh JVMs
(default 10) each of SqsDeliveryHandler and of a trivial RequestHandler<SQSEvent,SQSBatchResponse>,
with the flags a Lambda function of MB (default 512) gets: the runtime's heap/metaspace/code
cache (85/10/5 %), SerialGC, and the template's JAVA_TOOL_OPTIONS
(-XX:+TieredCompilation -XX:TieredStopAtLevel=1). The class path of each measured JVM is
target/directmx-lambda.jar extracted into a directory, as Lambda extracts a deployment package
into /var/task (--from-jar: the jar itself), plus the compiled bench/src/LambdaChild.java only.

The handler runs against real servers: dynalite (node infra/node_modules/dynalite/cli.js),
ElasticMQ (EmbeddedSqs in its own JVM) and the sandbox DNS and SMTP servers. Unless
--no-priming, it also measures SnapStart priming through the org.crac facade the Lambda jar
carries: the handler's own beforeCheckpoint hook, then the first batch after it.

Needs: mvn -B -o -q package -DskipTests (target/directmx.jar, target/directmx-lambda.jar),
npm ci --prefix infra (dynalite). Writes bench/results/coldstart.md and coldstart.json.
USAGE
}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jvms=10
memory=512
priming=yes
from_jar=()
out=bench/results
while [ $# -gt 0 ]; do
    case "$1" in
        --jvms) jvms=$2; shift 2 ;;
        --memory-mb) memory=$2; shift 2 ;;
        --no-priming) priming=no; shift ;;
        --from-jar) from_jar=(--from-jar); shift ;;
        --out) out=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 64 ;;
    esac
done

source bench/lib/prereqs.sh
bench_require_jars
bench_require_dynalite

priming_flag=()
[ "$priming" = yes ] || priming_flag=(--no-priming)

echo "cold start: $jvms JVMs each, ${memory} MB function flags, results in $out" >&2
exec "$java" -cp target/directmx.jar bench/src/LambdaBench.java coldstart --jvms "$jvms" --memory-mb "$memory" \
    "${priming_flag[@]+"${priming_flag[@]}"}" "${from_jar[@]+"${from_jar[@]}"}" --out "$out" --command "bench/coldstart.sh --jvms $jvms"
