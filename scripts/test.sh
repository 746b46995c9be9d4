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
# Stop the peers whatever happens, by the PIDs start.sh recorded.
trap 'bash scripts/peers/stop.sh "$state" || true' EXIT
bash scripts/peers/start.sh "$state"
set -a
source "$state/peers.env"
set +a

mvn -B -ntp verify "$@"
