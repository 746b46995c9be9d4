#!/usr/bin/env bash
# The benchmark suite's one command: builds the jars, runs every benchmark side by side with
# its reference on this machine, and writes BENCHMARKS.md from the fragments each one leaves
# in bench/results/. Not part of CI (long, and noisy by nature); see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
usage: bench/run.sh [--quick] [--skip NAME ...]

Runs, in order, each writing bench/results/NAME.md and NAME.json:
  throughput   directmx worker (dynalite, SQLite) vs Postfix vs smtp-source, 20,000 messages x 3 runs
  latency      round trips and messages/s per connection behind a 25 ms-each-way proxy
  coldstart    JVM start to the first finished batch, 10 fresh JVMs, vs a trivial handler
  memory       peak RSS and heap for 10 x 200 KB messages; the Lambda artifact's size
then assembles BENCHMARKS.md (machine, commands, every figure with its spread).

  --quick       small sizes (300 messages, 1 run, 3 JVMs): checks the harness, figures not for publishing
  --skip NAME   leave one benchmark out (its previous results, if any, are kept in BENCHMARKS.md)
Needs root (network namespaces, Postfix, NSD) and takes about 40 minutes in full.
USAGE
}

quick=false
skip=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --quick) quick=true ;;
    --skip) skip+=("$2"); shift ;;
    *) usage >&2; exit 64 ;;
  esac
  shift
done

source scripts/jdk.sh
directmx_select_jdk
bash scripts/peers/install.sh >/dev/null
if [ ! -f infra/node_modules/dynalite/cli.js ]; then
  npm ci --prefix infra --no-audit --no-fund --loglevel=error
fi
echo "bench: building the jars"
mvn -B -ntp -q package -DskipTests

skipped() {
  local name
  for name in "${skip[@]+"${skip[@]}"}"; do [ "$name" = "$1" ] && return 0; done
  return 1
}

run() {
  local name=$1
  shift
  if skipped "$name"; then
    echo "bench: skipping $name"
    return
  fi
  echo "bench: == $name"
  local started=$SECONDS
  bash "bench/$name.sh" "$@"
  echo "bench: $name took $((SECONDS - started)) s"
}

if $quick; then
  run throughput --messages 300 --runs 1
  run latency --messages 10 --reuse
  run coldstart --jvms 3
  run memory
else
  run throughput
  run latency --reuse
  run coldstart
  run memory
fi
bash bench/assemble.sh
echo "bench: wrote BENCHMARKS.md"
