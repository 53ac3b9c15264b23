#!/usr/bin/env bash
# Manual cross-read check (not part of mvn verify): Tributary writes a keyed table whose upserts and
# deletes are deletion vectors, Spark + delta-spark reads it, and the rows must equal Kernel's; then
# Tributary VACUUMs it with a retention of zero and Spark reads it again.
#   bench/spark-dv-readback/spark-dv-readback.sh SPARK_BASELINE WORK
# SPARK_BASELINE: a built copy of ../shared/bench/spark-baseline (its run.sh builds target/classpath.txt:
# Spark 4.0.1 + delta-spark 4.0.1). WORK: a scratch folder, wiped first. Run from the project's root.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/spark-dv-readback"
if [[ $# -ne 2 ]]; then
  echo "usage: $0 SPARK_BASELINE WORK" >&2
  exit 2
fi
spark_cp="$(cat "$1/target/classpath.txt")"
work="$2"
rm -rf "$work" && mkdir -p "$work"
jar="$root/bench/target/tributary-bench.jar"
lib="$root/bench/target/lib"
if [ ! -f "$jar" ] || [ ! -d "$lib" ]; then
  (cd "$root" && mvn -B -q -o -DskipTests -pl bench -am package) >&2
fi
tributary() {
  java -Xmx2g -Dlog4j.configurationFile="$root/bin/log4j2-cli.properties" -cp "$jar:$lib/*" \
    io.tributary.bench.DeletionVectorTable --out "$work" "$@"
}
spark() { # the JVM flags Spark 4 needs on Java 17+, as the baseline's run.sh passes them
  java -Xmx2g --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
    --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
    -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true \
    -Dlog4j2.level=WARN -cp "$spark_cp" "$here/SparkReadDelta.java" "$work/storage/tables/customers" "$1" \
    2> "$work/spark-stderr.log"
}
compare() {
  if diff -u "$work/kernel.txt" "$1"; then
    echo "PASS: Spark read the same $(wc -l < "$1") rows as Kernel ($1)"
  else
    echo "FAIL: Spark's rows differ from Kernel's" >&2
    exit 1
  fi
}
echo "== Tributary: two updates of a keyed table (deletion vectors)"
tributary
echo "== Spark reads it"
spark "$work/spark.txt"
compare "$work/spark.txt"
echo "== Tributary: VACUUM, retention 0 (forced)"
tributary --vacuum
echo "== Spark reads it again"
spark "$work/spark-after-vacuum.txt"
compare "$work/spark-after-vacuum.txt"
