#!/usr/bin/env bash
# Whole networks on the H200 through `bench --resident` (scripts/device/resident.sh) under several sets of
# clnn -D options, alternated over ROUNDS rounds (even rounds in reverse order); PyTorch (eager and CUDA
# graph; it also exports the ResNets) once, in the first round. Each argument is NAME=OPTIONS, the options
# comma-separated inside a -D value (resident.sh splits CLNN_OPTS at spaces), or jars:FOLDER for another build's
# clnn jars (before=jars:.device/old/lib after=). NETS and BATCHES narrow the run.
# With .device packed, from the repository root on the GPU machine:
#   bash scripts/device/alternate.sh off=-Dclnn.winograd=off table=
# Logs under $OUT/$RUN_NAME/NAME-ROUND/ (RUN_NAME default: alternate) where OUT is set.
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
out=${OUT:-/tmp}/${RUN_NAME:-alternate}
mkdir -p "$out"
declare -A OPTS=()
names=()
for arg in "$@"; do
  names+=("${arg%%=*}")
  OPTS[${arg%%=*}]=${arg#*=}
done
torch=${SKIP_TORCH:-0}
for round in $(seq 1 ${ROUNDS:-2}); do
  order=("${names[@]}")
  if [ $((round % 2)) = 0 ]; then
    order=(); for ((i=${#names[@]}-1; i>=0; i--)); do order+=("${names[$i]}"); done
  fi
  for v in "${order[@]}"; do
    echo "## $v round $round"
    mkdir -p "$out/$v-$round"
    opts=${OPTS[$v]}; jars=
    case $opts in jars:*) jars=${opts#jars:}; opts= ;; esac
    OUT="$out/$v-$round" SKIP_TORCH=$torch NETS="${NETS:-resnet18 resnet50}" BATCHES="${BATCHES:-64}" \
      CLNN_OPTS="$opts" CLNN_JARS="$jars" bash scripts/device/resident.sh
    torch=1
  done
done
