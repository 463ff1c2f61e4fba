#!/usr/bin/env bash
# K groups in the tiled GEMM (issue "GPU: reach cuBLAS and cuDNN", item 3): MobileNet v1 / v2 at batch 1 and
# ResNet-50 at batch 64 on the H200, `bench --resident` (input on the device, calls back to back, one wait),
# the jars in .device/before ("before") against the new ones ("after") and the new ones under other gemm_tiled
# entries (ALTS: name=entry pairs below), alternated over ROUNDS rounds (even rounds in reverse order); then
# PyTorch's CUDA-graph replay of the same networks, and a profile of MobileNet v1 with the new jars.
# NETS names the runs: mobilenet, mobilenet_v2 (batch 1), NAME@64 (a built-in network at batch 64), resnet18 and
# resnet50 (batch 64); PROFILE_ARGS the profiled bench arguments.
# With .device packed and the old clnn-*.jar files in .device/before:   bash scripts/device/kgroups.sh
# Full output in $OUT/kgroups.log where OUT is set.
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
log=${OUT:-/tmp}/kgroups.log
AFTER=$CLASSPATH
source scripts/device/classpath.sh
BEFORE=$(clnn_jars_classpath "$PWD"/.device/before)
TILES="NARROW_TM=128 NARROW_TN=64 NARROW_TK=16 NARROW_WM=8 NARROW_WN=4"
TILES="$TILES MID_TM=64 MID_TN=64 MID_TK=16 MID_WM=8 MID_WN=4 SMALL_TM=32 SMALL_TN=32 SMALL_TK=16 SMALL_WM=4 SMALL_WN=4"
TILES="$TILES STRIDED_SMALL_TM=32 STRIDED_SMALL_TN=32 STRIDED_SMALL_TK=16 STRIDED_SMALL_WM=4 STRIDED_SMALL_WN=4"
MAIN="variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8 STRIDED_TK=16 SPLIT_STEPS=4"
declare -A ALT=(
  [kg4]="$MAIN K_GROUPS=4 $TILES"
  [mid]="$MAIN K_GROUPS=8 $TILES STRIDED_MID_TM=64 STRIDED_MID_TN=64 STRIDED_MID_TK=16 STRIDED_MID_WM=8 STRIDED_MID_WN=4"
)
WHICH=${WHICH:-before after kg4 mid}
mkdir -p cpu-ort
for r in resnet18 resnet50; do
  [ -f cpu-ort/$r.onnx ] || R=$r python3 - <<'PY'
import os, torch, torchvision
r = os.environ["R"]; m = getattr(torchvision.models, r)().eval()
torch.onnx.export(m, torch.randn(1, 3, 224, 224), f"cpu-ort/{r}.onnx", opset_version=17, dynamo=False,
                  input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
PY
done
clnn() {   # which, then the bench arguments
  local which=$1; shift
  local cp=$AFTER
  [ "$which" = before ] && cp=$BEFORE
  if [ -n "${ALT[$which]:-}" ]; then
    timeout 200 java "-Dclnn.tune.gemm_tiled=${ALT[$which]}" -cp "$cp" dev.clnn.cli.Main "$@" 2>&1
  else
    timeout 200 java -cp "$cp" dev.clnn.cli.Main "$@" 2>&1
  fi
}
{
for round in $(seq 1 ${ROUNDS:-2}); do
  ORDER=$WHICH; [ $((round % 2)) = 0 ] && ORDER=$(echo $ORDER | tr ' ' '\n' | tac | tr '\n' ' ')
  for net in ${NETS:-mobilenet mobilenet_v2 resnet50}; do
    for which in $ORDER; do
      echo "## $which $net round $round"
      case $net in
        resnet*) clnn $which bench --model cpu-ort/$net.onnx --device gpu --batch-size 64 --examples 512 --resident ;;
        *@64) clnn $which bench ${net%@64} --device gpu --batch-size 64 --examples 4096 --resident ;;
        *) clnn $which bench $net --device gpu --examples 1024 --resident ;;
      esac
    done
  done
done
[ "${SKIP_PROFILE:-0}" = 1 ] || { echo "## profile after ${PROFILE_NET:-mobilenet}"; clnn after bench ${PROFILE_ARGS:-mobilenet --examples 256} --device gpu --profile; }
[ "${SKIP_TORCH:-0}" = 1 ] || python3 - <<'PY'
import time, torch, torchvision, timm
torch.backends.cuda.matmul.allow_tf32 = False; torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
for name, bs in (("mobilenet", 1), ("mobilenet_v2", 1), ("resnet50", 64)):
    m = timm.create_model("mobilenetv1_100", pretrained=False) if name == "mobilenet" else getattr(torchvision.models, name)()
    mc = m.eval().cuda(); xb = torch.randn(bs, 3, 224, 224, device="cuda"); n = 200 if bs == 1 else 30
    with torch.no_grad():
        s = torch.cuda.Stream(); s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(5): mc(xb)
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g): mc(xb)
        for _ in range(10): g.replay()
        torch.cuda.synchronize(); t = time.perf_counter()
        for _ in range(n): g.replay()
        torch.cuda.synchronize(); dt = (time.perf_counter() - t) / n
        print(f"REF torch CUDA graph {name} batch {bs}: {dt*1e3:.3f} ms per batch, {bs/dt:.0f} img/s")
PY
} > "$log" 2>&1
grep -E '^REF|^## |resident  |Correctness|failed|rror' "$log" | sed 's/^ *//'
