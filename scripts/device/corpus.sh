#!/usr/bin/env bash
# The ONNX model corpus on the GPU machine (BENCHMARKS.md, "ONNX model corpus"). Pack first
# (../shared/tools/device-pack), then from the repository root there, with carry [".device"]:
#   bash scripts/device/corpus.sh export        # the corpus, both exporters, eager PyTorch latency (CUDA)
#   bash scripts/device/corpus.sh gpu [K/N]     # clnn on the H200 beside ONNX Runtime on the CPU
#   bash scripts/device/corpus.sh cpu [K/N]     # clnn on PoCL (the 16-core Xeon)
#   bash scripts/device/corpus.sh table         # merges the gpu and cpu results into two tables
#   bash scripts/device/corpus.sh all           # all of the above in one go
# One command may run 10 minutes at most there: run the steps as separate commands, and split a check
# into shards (gpu 1/2, then gpu 2/2) when it does not fit. The corpus lives in corpus/ (git-ignored, so
# it stays on the machine between commands while the machine is held); results go to corpus/results as
# corpus-DEVICE-K-of-N.{json,md} and corpus-DEVICE.md, and are copied to $OUT when that is set.
# Environment: CORPUS_DIR (default corpus), JOBS (export processes, default 4), RUNS_GPU (default 50),
# RUNS_CPU (default 10), ONLY (comma-separated networks).
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
dir=${CORPUS_DIR:-corpus}
res=$dir/results
mkdir -p "$dir" "$res"
only=${ONLY:+--only $ONLY}
check() {  # device runs shard
  local shard=${3:-1/1}
  local tag="$1-${shard/\//-of-}"
  python3 scripts/corpus/check.py "$dir" --device "$1" --runs "$2" --shard "$shard" $only \
    --timeout 300 --json "$res/corpus-$tag.json" --md "$res/corpus-$tag.md" | grep -v '^|'
}
table() {  # device
  local files; files=$(ls "$res"/corpus-"$1"-*-of-*.json 2>/dev/null)
  [ -n "$files" ] && python3 scripts/corpus/check.py --merge $files --md "$res/corpus-$1.md" >/dev/null
  [ -f "$res/corpus-$1.md" ] && cat "$res/corpus-$1.md"
}
case "${1:-all}" in
  export) nvidia-smi -L; python3 scripts/corpus/export.py "$dir" --jobs "${JOBS:-4}" --torch-latency $only ;;
  gpu) check gpu "${RUNS_GPU:-50}" "${2:-1/1}" ;;
  cpu) check cpu "${RUNS_CPU:-10}" "${2:-1/1}" ;;
  table) table gpu; table cpu ;;
  all)
    nvidia-smi -L
    python3 scripts/corpus/export.py "$dir" --jobs "${JOBS:-4}" --torch-latency $only
    check gpu "${RUNS_GPU:-50}"; check cpu "${RUNS_CPU:-10}"
    table gpu; table cpu ;;
  *) echo "usage: $0 export | gpu [K/N] | cpu [K/N] | table | all" >&2; exit 2 ;;
esac
if [ -n "${OUT:-}" ]; then cp "$res"/* "$OUT"/ 2>/dev/null; cp "$dir"/*.json "$OUT"/ 2>/dev/null; fi
true
