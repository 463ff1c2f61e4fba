#!/usr/bin/env bash
# The Winograd variant of the 3x3 stride-1 convolutions (issue "GPU: reach cuBLAS and cuDNN", item 2) on the
# H200: ResNet-18 and ResNet-50 through `bench --resident` (scripts/device/resident.sh) with the conv2d entry
# as the table has it ("table"), without Winograd ("off") and with each tile ("f2", "f4"), alternated over
# ROUNDS rounds (even rounds in reverse order); PyTorch (eager and CUDA graph) once, in the first round.
# VARIANTS names the runs, BATCHES the batch sizes, NETS the networks; PROFILE_VARIANT adds one profiled run.
# With .device packed, from the repository root on the GPU machine:   bash scripts/device/winograd.sh
# The entry options are comma-separated: resident.sh splits CLNN_OPTS at spaces.
# Logs under $OUT/winograd/ where OUT is set.
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
out=${OUT:-/tmp}/winograd
ENTRY="variant=implicit_gemm"
declare -A OPTS=(
  [table]=""
  [off]="-Dclnn.winograd=off"
  [f2]="-Dclnn.tune.conv2d=$ENTRY,WINOGRAD=2,WINOGRAD_MIN_C=${MIN_C:-64},WINOGRAD_MIN_TILES=${MIN_TILES:-1}"
  [f4]="-Dclnn.tune.conv2d=$ENTRY,WINOGRAD=4,WINOGRAD_MIN_C=${MIN_C:-64},WINOGRAD_MIN_TILES=${MIN_TILES:-1}"
)
args=()
for v in ${VARIANTS:-off f4 f2}; do
  args+=("$v=${OPTS[$v]}")
done
RUN_NAME=winograd bash scripts/device/alternate.sh "${args[@]}"
if [ -n "${PROFILE_VARIANT:-}" ]; then
  echo "## profile $PROFILE_VARIANT"
  mkdir -p "$out/profile"
  OUT="$out/profile" SKIP_TORCH=1 NETS="${PROFILE_NETS:-resnet18}" BATCHES="${PROFILE_BATCHES:-64}" PROFILE=1 \
    CLNN_OPTS="${OPTS[$PROFILE_VARIANT]}" bash scripts/device/resident.sh
fi
