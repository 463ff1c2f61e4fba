#!/usr/bin/env bash
# SGEMM on the H200 at n = 1024-4096: the tuned form against double-buffered local slices (DB=1), with
# each call's device time per kernel (packing and product), and PyTorch's cuBLAS (TF32 off) in the same
# command. Two rounds, the second in reverse order. With .device packed, on the GPU machine:
#   bash scripts/device/gemm-buffers.sh
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
SIZES=${SIZES:-"1024 2048 4096"}
g() { timeout 150 java -cp "$CLASSPATH" dev.clnn.cli.Main bench gemm --device gpu --no-reference --iterations 50 "$@" 2>&1 \
        | grep -E "^0: |kernel   |device time|pipelined  " ; }
configs_for() {
  case $1 in
    1024) echo 'variant=tiled TM=64 TN=64 TK=16 WM=8 WN=4|variant=tiled TM=64 TN=64 TK=16 WM=8 WN=4 DB=1|variant=tiled TM=64 TN=64 TK=8 WM=8 WN=4 DB=1' ;;
    *) echo 'variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8|variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8 DB=1|variant=tiled TM=128 TN=128 TK=16 WM=8 WN=8 DB=1|variant=tiled TM=128 TN=128 TK=16 WM=8 WN=8' ;;
  esac
}
for round in 1 2; do
  for n in $SIZES; do
    IFS='|' read -r -a cs <<< "$(configs_for $n)"
    if [ $round = 2 ]; then
      rev=(); for ((i=${#cs[@]}-1; i>=0; i--)); do rev+=("${cs[$i]}"); done; cs=("${rev[@]}")
    fi
    args=(); for c in "${cs[@]}"; do args+=(--config "$c"); done
    echo "### round $round n=$n tuned"
    g --size $n
    echo "### round $round n=$n configs"
    g --size $n "${args[@]}"
  done
done
python3 scripts/device/cublas_sgemm.py 1024 2048 4096
