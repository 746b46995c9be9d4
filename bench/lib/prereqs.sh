# Sourced by the bench scripts from the repository root: selects a JDK 21+ exactly as the
# build does (scripts/jdk.sh: JAVA_HOME if it is one, else the newest beside the default java)
# and sets $java; the bench_require_* checks stop with exit 66 and the command that fixes it.
# shellcheck source=../../scripts/jdk.sh
source scripts/jdk.sh
directmx_select_jdk
# shellcheck disable=SC2034 # used by the scripts that source this file
java="$JAVA_HOME/bin/java"

bench_require_jars() { # JAR ... (default: both jars)
  local f
  [ $# -gt 0 ] || set -- target/directmx.jar target/directmx-lambda.jar
  for f in "$@"; do
    [ -f "$f" ] || { echo "missing $f: run mvn -B -o -q package -DskipTests" >&2; exit 66; }
  done
}

bench_require_dynalite() {
  [ -f infra/node_modules/dynalite/cli.js ] || { echo "dynalite missing: run npm ci --prefix infra" >&2; exit 66; }
}
