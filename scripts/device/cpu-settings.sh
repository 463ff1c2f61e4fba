#!/usr/bin/env bash
# clnn on the GPU machine's CPU (PoCL) under several settings of the same jars, alternated, beside ONNX
# Runtime in the same command: what a pass or kernel switch is worth there. Pack first
# (../shared/tools/device-pack), then from the repository root, with carry [".device"]:
#   ONLY=densenet121 SETTINGS="-Dclnn.concatInPlace=off,-Dclnn.fuseNorms=off -Dclnn.concatInPlace=off,-" \
#     bash scripts/device/cpu-settings.sh
# SETTINGS: space-separated settings, each a comma-separated list of JVM options ("-" for none).
# ONLY and the ONNX files as in cpu-ort.sh (its export step runs first); ROUNDS (default 2) passes
# over the settings; EXAMPLES (default 64) per run. Results in cpu-ort/settings.txt and $OUT.
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
bash scripts/device/cpu-ort.sh export | grep -E '^ort |Model name'
for net in ${ONLY//,/ }; do
  for _ in $(seq "${ROUNDS:-2}"); do
    for setting in ${SETTINGS:--}; do
      opts=""; [ "$setting" != - ] && opts=${setting//,/ }
      # shellcheck disable=SC2086
      r=$(timeout 240 java $opts -cp "$CLASSPATH" dev.clnn.cli.Main bench --model "cpu-ort/$net.onnx" --device cpu \
          --examples "${EXAMPLES:-64}" 2>&1 | grep -E 'latency|kernel time|Correctness|rror' | tr -s ' ' | tr '\n' ' ')
      line="clnn $net [$setting]: $r"
      echo "$line" | tee -a cpu-ort/settings.txt; [ -n "${OUT:-}" ] && echo "$line" >> "$OUT/settings.txt"
    done
  done
done
