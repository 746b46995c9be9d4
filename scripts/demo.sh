#!/usr/bin/env bash
# The main job (README): build directmx if needed and run `directmx demo`, which delivers the
# seed's message through a local DNS zone and a local MX with STARTTLS, offline.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh
directmx_select_jdk
if [ ! -f target/directmx.jar ] || [ -n "$(find src pom.xml -newer target/directmx.jar -print -quit)" ]; then
  echo "demo.sh: building target/directmx.jar ..." >&2
  mvn -B -ntp -q package -DskipTests
fi
exec "$JAVA_HOME/bin/java" -jar target/directmx.jar demo "$@"
