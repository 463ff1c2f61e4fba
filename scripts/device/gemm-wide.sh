#!/usr/bin/env bash
# SGEMM on the H200: the tuned 128x128 tile against wider tiles (128x256, 256x128, 128x128 with 128
# work-items of 8x16 or 16x8 each), with each call's device time per kernel, and PyTorch's cuBLAS (TF32
# off) in the same command. Two rounds, the second in reverse order. With .device packed, on the GPU machine:
#   bash scripts/device/gemm-wide.sh
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
SIZES=${SIZES:-"2048 4096"}
g() { timeout 200 java -cp "$CLASSPATH" dev.clnn.cli.Main bench gemm --device gpu --no-reference --iterations 50 "$@" 2>&1 \
        | grep -E "^0: |kernel   |device time|pipelined  |rror" ; }
CONFIGS=${CONFIGS:-'variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8|variant=tiled TM=128 TN=256 TK=8 WM=8 WN=16|variant=tiled TM=256 TN=128 TK=8 WM=16 WN=8|variant=tiled TM=128 TN=256 TK=16 WM=8 WN=16|variant=tiled TM=128 TN=128 TK=8 WM=8 WN=16|variant=tiled TM=128 TN=128 TK=8 WM=16 WN=8|variant=tiled TM=256 TN=128 TK=16 WM=8 WN=8|variant=tiled TM=128 TN=256 TK=16 WM=8 WN=8'}
for round in 1 2; do
  for n in $SIZES; do
    IFS='|' read -r -a cs <<< "$CONFIGS"
    if [ $round = 2 ]; then
      rev=(); for ((i=${#cs[@]}-1; i>=0; i--)); do rev+=("${cs[$i]}"); done; cs=("${rev[@]}")
    fi
    args=(); for c in "${cs[@]}"; do args+=(--config "$c"); done
    echo "### round $round n=$n configs"
    g --size $n "${args[@]}"
  done
done
python3 scripts/device/cublas_sgemm.py $SIZES
