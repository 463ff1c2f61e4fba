#!/usr/bin/env bash
# Layers' A read in float4s by the tiled GEMM (-Dclnn.gemm.vectorA=layers) against the default element-wise
# reads, on whole networks on the H200 through `bench --resident` (scripts/device/resident.sh), alternated
# over ROUNDS rounds (even rounds in reverse order); PyTorch once, in the first round (it also exports the
# ResNets). NETS and BATCHES narrow the run. With .device packed, from the repository root on the GPU machine:
#   bash scripts/device/vector-a.sh
# Logs under $OUT/vector-a/ where OUT is set.
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
out=${OUT:-/tmp}/vector-a
mkdir -p "$out"
declare -A OPTS=([off]="-Dclnn.gemm.vectorA=off" [layers]="-Dclnn.gemm.vectorA=layers")
torch=${SKIP_TORCH:-0}
for round in $(seq 1 ${ROUNDS:-2}); do
  ORDER="off layers"; [ $((round % 2)) = 0 ] && ORDER="layers off"
  for v in $ORDER; do
    echo "## $v round $round"
    mkdir -p "$out/$v-$round"
    OUT="$out/$v-$round" SKIP_TORCH=$torch NETS="${NETS:-mobilenet resnet50}" BATCHES="${BATCHES:-1 64}" \
      CLNN_OPTS="${OPTS[$v]}" bash scripts/device/resident.sh
    torch=1
  done
done
