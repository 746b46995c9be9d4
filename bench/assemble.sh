#!/usr/bin/env bash
# Writes BENCHMARKS.md from the fragments the benchmarks left in bench/results/ and the
# hand-kept history of optimisations in bench/optimisations.md. Run by bench/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  echo "usage: bench/assemble.sh   (rewrites BENCHMARKS.md from bench/results/*.md and bench/optimisations.md)"
  exit 0
fi
source scripts/jdk.sh
directmx_select_jdk >/dev/null

out=BENCHMARKS.md
{
  echo "# Benchmarks"
  echo
  echo "Written by \`bench/run.sh\` (the one command; \`bench/run.sh --help\`) on $(date -u +%Y-%m-%d), from"
  echo "the fragments in \`bench/results/\`. Each benchmark measures directmx and its reference side by"
  echo "side, on this machine, in the same run; medians of the runs, with min–max in brackets."
  echo
  echo "## Machine"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| CPU | $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') |"
  echo "| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |"
  echo "| kernel | $(uname -r) |"
  echo "| JDK | $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) |"
  echo "| Postfix | $(PATH=$PATH:/usr/sbin postconf -d -h mail_version 2>/dev/null || echo 'not installed') |"
  echo
  for name in throughput latency coldstart memory; do
    if [ -f "bench/results/$name.md" ]; then
      cat "bench/results/$name.md"
      echo
    else
      echo "## $name"
      echo
      echo "Not measured yet: \`bench/$name.sh\`."
      echo
    fi
  done
  if [ -f bench/optimisations.md ]; then
    cat bench/optimisations.md
  fi
} >"$out"
