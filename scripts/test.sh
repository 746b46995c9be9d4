#!/usr/bin/env bash
# The test command (README): unit tests, fault tests against in-JVM peers, integration tests
# against ElasticMQ and dynalite, and the end-to-end suites against real MTAs (Postfix,
# OpenSMTPD, Exim), postgrey, smtp-sink and NSD on loopback, all through `mvn verify`.
# Needs root for apt-get and for the MTAs on port 25 of 127.0.0.x; CI runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh
directmx_select_jdk
echo "test.sh: using JDK at $JAVA_HOME"

state="$PWD/target/peers"
bash scripts/peers/install.sh
bash scripts/peers/faults.sh install
bash scripts/peers/dkim.sh install

# dynalite (a DynamoDB API on Node) for the store and queue tests, pinned by infra/package-lock.json.
if ! command -v node >/dev/null 2>&1; then
  echo "test.sh: installing Node.js for dynalite" >&2
  apt-get update -q && apt-get install -y -q nodejs npm
fi
if [ ! -f infra/node_modules/dynalite/cli.js ] || [ infra/package-lock.json -nt infra/node_modules/.package-lock.json ]; then
  echo "test.sh: npm ci --prefix infra (dynalite)"
  npm ci --prefix infra --no-audit --no-fund --loglevel=error
fi
# Stop the peers whatever happens, by the PIDs the start scripts recorded (the last started first).
trap 'bash scripts/peers/dkim.sh stop "$state" || true; bash scripts/peers/faults.sh stop "$state" || true; bash scripts/peers/mtas.sh stop "$state" || true; bash scripts/peers/stop.sh "$state" || true' EXIT
bash scripts/peers/start.sh "$state"
bash scripts/peers/mtas.sh start "$state"
bash scripts/peers/faults.sh start "$state"
bash scripts/peers/dkim.sh start "$state"
set -a
source "$state/peers.env"
source "$state/mtas.env"
source "$state/faults.env"
source "$state/dkim.env"
set +a

status=0
mvn -B -ntp verify "$@" || status=$?
if [ -f target/interop-report.txt ]; then
  echo
  echo "== interop suite (target/interop-report.txt)"
  cat target/interop-report.txt
fi
exit "$status"
