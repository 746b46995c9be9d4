#!/usr/bin/env bash
# The test command (README): unit tests, fault tests against in-JVM peers, and the end-to-end
# tests against a real Postfix and a real DNS server on loopback, all through `mvn verify`.
# Needs root for apt-get and for Postfix on port 25 of 127.0.0.2; CI runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh
directmx_select_jdk
echo "test.sh: using JDK at $JAVA_HOME"

state="$PWD/target/peers"
bash scripts/peers/install.sh

# dynalite (a DynamoDB API on Node) for the store and queue tests, pinned by infra/package-lock.json.
if ! command -v node >/dev/null 2>&1; then
  echo "test.sh: installing Node.js for dynalite" >&2
  apt-get update -q && apt-get install -y -q nodejs npm
fi
if [ ! -f infra/node_modules/dynalite/cli.js ] || [ infra/package-lock.json -nt infra/node_modules/.package-lock.json ]; then
  echo "test.sh: npm ci --prefix infra (dynalite)"
  npm ci --prefix infra --no-audit --no-fund --loglevel=error
fi
# Stop the peers whatever happens, by the PIDs start.sh recorded.
trap 'bash scripts/peers/stop.sh "$state" || true' EXIT
bash scripts/peers/start.sh "$state"
set -a
source "$state/peers.env"
set +a

mvn -B -ntp verify "$@"
