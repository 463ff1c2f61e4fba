#!/usr/bin/env bash
# Spark's GPU discovery script for clnn-spark: prints {"name":"gpu","addresses":["0","1"]}, the clnn
# device indices of this machine's OpenCL GPUs (what `clnn devices` lists), which clnn-spark maps
# back to devices in each task. Point Spark at it on every worker:
#   spark.executor.resource.gpu.amount=1
#   spark.task.resource.gpu.amount=0.25          (four tasks share one GPU)
#   spark.executor.resource.gpu.discoveryScript=/opt/clnn/clnn-gpu-discovery.sh
#   (standalone clusters: spark.worker.resource.gpu.amount and spark.worker.resource.gpu.discoveryScript)
# It runs dev.clnn.spark.GpuDiscovery with the jars of clnn-spark and its dependencies: those on
# CLNN_SPARK_CLASSPATH, else every *.jar beside this script and in lib/ beside it (the layout of
# spark/target after `mvn package`). No OpenCL at all: one line on standard error and exit status 1.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
classpath=${CLNN_SPARK_CLASSPATH:-"$here/*:$here/lib/*"}
if [ -n "${JAVA_HOME:-}" ]; then
  java="$JAVA_HOME/bin/java"
else
  java=$(readlink -f "$(command -v java)")
fi
# OpenCL drivers replace the JVM's SIGSEGV handler unless libjsig chains them (README: libjsig)
jsig="$(dirname "$(dirname "$java")")/lib/libjsig.so"
if [ -f "$jsig" ]; then
  export LD_PRELOAD="$jsig${LD_PRELOAD:+:$LD_PRELOAD}"
fi
exec "$java" -Xmx256m -XX:TieredStopAtLevel=1 -cp "$classpath" dev.clnn.spark.GpuDiscovery
