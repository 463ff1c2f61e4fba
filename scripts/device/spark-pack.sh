#!/usr/bin/env bash
# Packs clnn-spark for the GPU machine, which has no Java and no Spark, in pieces that each fit in one
# device call's carry (64 MiB): .device-spark/base (a Java runtime with the modules Spark needs, the
# clnn jars, env.sh) and .device-spark/jars1..N (Spark 4.2's jars, less those local mode never loads).
#   bash scripts/device/spark-pack.sh            # here; builds kernels, core and spark (no install)
# It ends by printing the device calls that carry the pieces one by one (a warm machine keeps what
# earlier calls carried) and run scripts/device/spark.sh with the last one.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
out=.device-spark
cap_kib=$((56 * 1024))

mvn -q -B -pl kernels,core,spark package -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip
rm -rf "$out/lib" "$out"/jars* "$out/spark-all"
mkdir -p "$out/base/lib" "$out/spark-all"
cp spark/target/clnn-spark-*.jar spark/target/lib/*.jar "$out/base/lib/"
rm -f "$out"/base/lib/*-{sources,javadoc,tests}.jar
mvn -q -B -pl spark dependency:copy-dependencies -DincludeScope=provided -DoutputDirectory="$PWD/$out/spark-all"
# NOTE: found by running SparkThroughput on local[N] without each: these serve the history server,
# the web UI's REST API, ZooKeeper HA, Avro/ORC, Python, TLS and geometry, none of which it touches
ls "$out/spark-all" | grep -E '^(rocksdbjni|netty-tcnative|jersey-|zookeeper|curator-|leveldbjni|jts-core|hk2-|jakarta\.ws\.rs|avro|orc-|tink|jline|py4j|pickle|oro)' \
  | sed "s|^|$out/spark-all/|" | xargs rm -f

mods=java.base,java.logging,java.management,jdk.management,jdk.unsupported,java.xml,java.desktop,java.sql,java.naming,java.security.jgss,java.security.sasl,java.scripting,java.instrument,java.net.http,jdk.jfr,jdk.security.auth
if [ ! -x "$out/base/jre/bin/java" ] || [ "$(cat "$out/base/jre/.modules" 2>/dev/null)" != "$mods" ]; then
  rm -rf "$out/base/jre"
  jlink --add-modules "$mods" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/base/jre"
  echo "$mods" > "$out/base/jre/.modules"
fi

# Spark's jars into pieces of at most cap_kib, largest first into the first piece with room
n=0; declare -A used
for jar in $(ls -S "$out/spark-all"); do
  size=$(( ($(stat -c %s "$out/spark-all/$jar") + 1023) / 1024 ))
  placed=
  for i in $(seq 1 $n); do
    if [ $(( ${used[$i]} + size )) -le $cap_kib ]; then placed=$i; break; fi
  done
  if [ -z "$placed" ]; then n=$((n + 1)); used[$n]=0; mkdir -p "$out/jars$n"; placed=$n; fi
  mv "$out/spark-all/$jar" "$out/jars$placed/"
  used[$placed]=$(( ${used[$placed]} + size ))
done
rmdir "$out/spark-all"

cat > "$out/base/env.sh" <<'ENV'
# sourced on the GPU machine from the project root, once every piece of .device-spark is there
base=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export JAVA_HOME="$base/jre"; export PATH="$JAVA_HOME/bin:$PATH"
chmod +x "$JAVA_HOME"/bin/* 2>/dev/null || true
mkdir -p /etc/OpenCL/vendors
[ -f /etc/OpenCL/vendors/nvidia.icd ] || echo libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
export CLASSPATH=$(ls "$base"/lib/*.jar "$base"/../jars*/*.jar | tr '\n' ':')
# what spark-submit passes on Java 17 (spark/pom.xml's argLine)
export SPARK_JAVA_OPTS="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"
ENV

echo "spark-pack: $(du -sm "$out/base" | cut -f1) MiB in $out/base; Spark's jars in $n pieces:"
du -sm "$out"/jars* | sed 's/^/  /'
echo "Device calls, one after another while the machine stays warm (each carry must stay under 64 MiB):"
echo "  run(command=\"true\", carry=[\"$out/base\"])"
for i in $(seq 1 $((n - 1))); do echo "  run(command=\"true\", carry=[\"$out/jars$i\"])"; done
echo "  run(command=\"bash scripts/device/spark.sh\", carry=[\"$out/jars$n\"])"
