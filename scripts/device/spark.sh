#!/usr/bin/env bash
# clnn-spark's throughput on the GPU machine: one JVM calling a Model against SparkInference on
# local[4] and local[16], on the GPU, on the CPU (PoCL) and on both (partitions alternate), MobileNet v2
# at 224 x 224 with seeded random weights and rows. Pack here first (bash scripts/device/spark-pack.sh),
# which prints the device calls that carry the pieces; the last of them runs this script.
set -u
source .device-spark/base/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
echo "### GPU discovery (what spark.executor.resource.gpu.discoveryScript would print)"
java -Xmx256m -cp "$CLASSPATH" dev.clnn.spark.GpuDiscovery 2>&1 | grep -v "^OpenJDK"
t() {
  echo "### SparkThroughput $*"
  # shellcheck disable=SC2086
  timeout 170 java $SPARK_JAVA_OPTS -Xmx48g -cp "$CLASSPATH" dev.clnn.spark.SparkThroughput "$@" 2>&1 \
    | grep -E "^== |^   \[|rows/s|Exception|rror" | head -20
}
common=(--model mobilenet_v2 --resolution 224 --rows 1024 --batch-size 64 --masters 'local[4],local[16]' --repeats 3)
t "${common[@]}" --device gpu
t "${common[@]}" --device cpu
t "${common[@]}" --device gpu,cpu
