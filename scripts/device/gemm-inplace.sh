#!/usr/bin/env bash
# SGEMM on the H200, before and after B is read in place by the tiled form (a pass fewer per call), and
# the product as a layer runs it (`--layer`: A read in place, B packed once outside the timing; strided, and
# in float4s by default, element by element with -Dclnn.gemm.vectorA=off), with
# each call's device time per kernel and PyTorch's cuBLAS (TF32 off) in the same command. "before" runs
# the clnn jars under .device/old/lib (an earlier commit's build) with the same dependencies. Two
# rounds, the second in reverse order. With .device packed, on the GPU machine:
#   bash scripts/device/gemm-inplace.sh          (LAYER=0: without the --layer runs; SIZES="2048 4096")
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
SIZES=${SIZES:-"1024 2048 4096"}
source scripts/device/classpath.sh
OLD_CP=$(clnn_jars_classpath .device/old/lib)
g() { local cp=$1; shift; timeout 150 java ${JOPTS:-} -cp "$cp" dev.clnn.cli.Main bench gemm --device gpu --no-reference --iterations 50 "$@" 2>&1 \
        | grep -E "^0: |kernel   |device time|pipelined  " ; }
for round in 1 2; do
  order="before after"; [ $round = 2 ] && order="after before"
  for n in $SIZES; do
    for which in $order; do
      cp=$CLASSPATH; [ $which = before ] && cp=$OLD_CP
      echo "### round $round n=$n $which"
      g "$cp" --size $n
    done
    if [ "${LAYER:-1}" = 1 ]; then
      for mode in off on; do
        echo "### round $round n=$n layer (A in place, B packed once), -Dclnn.gemm.vectorA=$mode"
        JOPTS=-Dclnn.gemm.vectorA=$mode g "$CLASSPATH" --size $n --layer --config 'variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8' \
          --config 'variant=tiled TM=128 TN=128 TK=16 WM=8 WN=8' --config 'variant=tiled TM=64 TN=64 TK=16 WM=8 WN=4'
      done
    fi
  done
done
python3 scripts/device/cublas_sgemm.py 1024 2048 4096
