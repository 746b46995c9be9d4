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
# ElasticMQ's Pekko uses sun.misc.Unsafe, which JDK 23+ warns about unless allowed; older JDKs
# refuse the flag, so pass it only where it exists.
flags=()
if [ "$(directmx_java_major "$JAVA_HOME")" -ge 23 ]; then
  flags+=(--sun-misc-unsafe-memory-access=allow)
fi
exec "$JAVA_HOME/bin/java" "${flags[@]}" -jar target/directmx.jar demo "$@"
