#!/usr/bin/env bash
# Depthwise + pointwise as one kernel (ops.SeparableConv) on the GPU machine: MobileNet v1 and v2 at
# batch 1 on the H200 with -Dclnn.fuseSeparable=off and =all alternated, ROUNDS rounds, then a
# profile of each with =all. With .device packed, from the repository root there, carry [".device"]:
#   bash scripts/device/separable.sh
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
DEVICE=${DEVICE:-gpu}
b() {  # mode net [args]
  local mode=$1 net=$2; shift 2
  timeout 120 java -Dclnn.fuseSeparable="$mode" -cp "$CLASSPATH" dev.clnn.cli.Main bench "$net" --device "$DEVICE" "$@" 2>&1
}
for r in $(seq "${ROUNDS:-2}"); do
  for net in mobilenet mobilenet_v2; do
    for mode in off all; do
      echo "$net $mode: $(b $mode $net | grep -E 'latency|kernel time|Correctness' | tr -s ' ' | tr '\n' ' ')"
    done
  done
done
for net in mobilenet mobilenet_v2; do
  echo "### $net profile, all"
  b all $net --profile | grep -E "^  [a-zA-Z_0-9]+ +(conv|depthwise|pointwise|dense|total)|^  total"
done
