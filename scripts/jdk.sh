# Sourced by the build scripts: selects a JDK 21 or newer and exports JAVA_HOME.
# The machine's default java may be older (17), so look for a newer one beside it.
directmx_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1
}

directmx_select_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*25* /usr/lib/jvm/*21* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(directmx_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "directmx: no JDK 21 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm); install one, e.g. apt-get install openjdk-21-jdk-headless" >&2
  return 1
}
