#!/usr/bin/env bash
# clnn beside ONNX Runtime on any ONNX model, same input, same run (dev.clnn.jmh.CompareOrt):
#   scripts/compare-ort.sh MODEL.onnx [--device SPEC] [--batch-size N] [--runs N]
# Builds the jmh module (which alone depends on ONNX Runtime) on first use.
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
exec java -cp "jmh/target/classes:$(cat "$cp_file")" dev.clnn.jmh.CompareOrt "$@"
