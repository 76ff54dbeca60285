#!/usr/bin/env bash
# Web UI responsiveness (docs/benchmarks.md, "Web UI responsiveness"): builds the benchmarks jar,
# then runs io.conprof.benchmarks.web.UiResponsiveness, which builds (or reuses) a store of
# 50 series x 1 day plus a 100,000-node profile, serves it with WebServer on 127.0.0.1 and drives
# headless Chromium (/usr/bin/chromium, /usr/bin/chromedriver) through Selenium. Arguments go to
# the program, e.g.
#   benchmarks/scripts/ui-responsiveness.sh --runs 5 --dir /tmp/conprof-bench/ui-store
# Set UI_BENCH_SKIP_BUILD=1 to reuse benchmarks/target/benchmarks.jar.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="$here/benchmarks/target/benchmarks.jar"
if [ "${UI_BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  (cd "$here" && ./mvnw -B -q -pl benchmarks -am package -DskipTests)
fi
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  if [ ! -x "$tool" ]; then
    echo "ui-responsiveness: $tool not found (apt-get install chromium chromium-driver)" >&2
    exit 2
  fi
done
# Selenium Manager must never run (it would try to download drivers and send usage statistics).
export SE_AVOID_STATS=true
java_bin="java"
if [ -n "${JAVA_HOME:-}" ]; then java_bin="$JAVA_HOME/bin/java"; fi
exec "$java_bin" \
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED \
  --add-exports=java.base/jdk.internal.util=ALL-UNNAMED \
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED \
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED \
  --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED \
  -Dchronicle.analytics.disable=true \
  ${UI_BENCH_JAVA_OPTS:-} \
  -cp "$jar" io.conprof.benchmarks.web.UiResponsiveness "$@"
