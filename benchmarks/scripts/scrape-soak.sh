#!/usr/bin/env bash
# Soak run of the scrape loop (docs/benchmarks.md, "Scrape loop under load"): runs
# io.conprof.benchmarks.scrape.ScrapeLoadSoak from the shaded benchmarks jar with the JVM options
# bin/conprof-cli gives `conprof-cli scrape` (JVM default GC and heap; Chronicle Map's exports and
# opens, needed by --sink tsdb). Arguments go to the soak, e.g.
#   benchmarks/scripts/scrape-soak.sh --targets 1000 --interval 10s --duration 200s --sink tsdb
# Build first: ./mvnw -B -q -pl benchmarks -am package -DskipTests
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="$here/benchmarks/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  echo "scrape-soak: $jar not found; build first with: ./mvnw -B -q -pl benchmarks -am package -DskipTests" >&2
  exit 2
fi
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
  ${SOAK_JAVA_OPTS:-} \
  -cp "$jar" io.conprof.benchmarks.scrape.ScrapeLoadSoak "$@"
