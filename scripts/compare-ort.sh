#!/usr/bin/env bash
# clnn beside ONNX Runtime on any ONNX model, same input, same run (dev.clnn.jmh.CompareOrt):
#   scripts/compare-ort.sh MODEL.onnx [--device SPEC] [--batch-size N] [--runs N] [--rounds N] [--warmup N]
# Builds the jmh module (which alone depends on ONNX Runtime) on first use. CLNN_JARS=FOLDER runs the
# clnn-core and clnn-kernels jars in FOLDER (another commit's build) instead, for before/after in one loop.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
cp_file=jmh/target/classpath.txt
if [ ! -f "$cp_file" ] || [ -n "$(find jmh/src core/src/main kernels/src -newer "$cp_file" -type f | head -n 1)" ]; then
  mvn -q -B -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip -pl jmh -am install >&2
  mvn -q -B -pl jmh dependency:build-classpath -Dmdep.outputFile="$root/$cp_file" >&2
fi
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
export LD_PRELOAD="$java_home/lib/libjsig.so${LD_PRELOAD:+:$LD_PRELOAD}"
classpath=$(cat "$cp_file")
if [ -n "${CLNN_JARS:-}" ]; then
  for module in core kernels; do
    jar=$(ls "$CLNN_JARS"/clnn-$module-*.jar 2>/dev/null | grep -v -E -- '-(sources|javadoc|tests)\.jar$' | head -n 1)
    [ -n "$jar" ] || { echo "compare-ort: no clnn-$module jar in $CLNN_JARS" >&2; exit 2; }
    classpath=$(tr ':' '\n' <<<"$classpath" | sed "s#^.*/clnn-$module-[^/]*\.jar\$#$jar#" | paste -sd:)
  done
fi
exec java -cp "jmh/target/classes:$classpath" dev.clnn.jmh.CompareOrt "$@"
