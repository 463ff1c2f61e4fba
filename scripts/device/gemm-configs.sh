#!/usr/bin/env bash
# SGEMM on the H200 under several `gemm` configurations, with each call's device time per kernel, and
# PyTorch's cuBLAS (TF32 off) in the same command: two rounds over SIZES, the second in reverse order.
# CONFIGS holds the configurations separated by '|'; CONFIGS_<n> replaces it for size n; TUNED=1 also
# runs the tuning table's choice at each size. With .device packed, on the GPU machine:
#   SIZES="2048 4096" CONFIGS='variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8|...' bash scripts/device/gemm-configs.sh
# (gemm-wide.sh and gemm-buffers.sh name their configurations and call this.)
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
SIZES=${SIZES:-"1024 2048 4096"}
g() { timeout 200 java -cp "$CLASSPATH" dev.clnn.cli.Main bench gemm --device gpu --no-reference --iterations 50 "$@" 2>&1 \
        | grep -E "^0: |kernel   |device time|pipelined  |rror" ; }
for round in 1 2; do
  for n in $SIZES; do
    var=CONFIGS_$n
    IFS='|' read -r -a cs <<< "${!var:-$CONFIGS}"
    if [ $round = 2 ]; then
      rev=(); for ((i=${#cs[@]}-1; i>=0; i--)); do rev+=("${cs[$i]}"); done; cs=("${rev[@]}")
    fi
    args=(); for c in "${cs[@]}"; do args+=(--config "$c"); done
    if [ "${TUNED:-0}" = 1 ]; then
      echo "### round $round n=$n tuned"
      g --size $n
    fi
    echo "### round $round n=$n configs"
    g --size $n "${args[@]}"
  done
done
python3 scripts/device/cublas_sgemm.py $SIZES
