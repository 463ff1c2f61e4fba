#!/usr/bin/env bash
# On the GPU machine, with .device packed (../shared/tools/device-pack) and the clnn-*.jar of the commit
# to compare against in .device/before:   bash scripts/device/gpu-gemm-conv.sh
# The H200's GEMM and convolution forms before and after a change, interleaved in one command:
# - ResNet-18/50 (torchvision, random weights, exported by PyTorch) and MobileNet v1/v2 (built in), at
#   batch 1 and 64, with the old jars ("before"), the new ones ("after") and the new ones under another
#   gemm_tiled entry ("alt": $ALT, by default the H200's entry without SPLIT_STEPS and NARROW_, that is
#   with the tiled form's K slices and narrow tile switched off);
# - SGEMM at n = 256..2048 the same three ways, and split-K and sliced tiles forced at n = 256;
# - PyTorch eager, CUDA graphs and cuBLAS (TF32 off) as the references;
# - a per-layer profile of ResNet-18 at batch 1 and 64 with the new jars (SKIP_PROFILE=1 leaves it out).
# Narrower runs: ONNX="resnet18 resnet50" and BUILTIN="mobilenet mobilenet_v2" name the networks,
# ONNX_BATCHES / BUILTIN_BATCHES their batch sizes ("1 64"), WHICH the jars ("before after alt"),
# GEMM_SIZES the SGEMM sizes ("256 512 1024 2048"; SKIP_GEMM=1 for none), ROUNDS the rounds (1; even
# rounds run the jars in reverse order). Full output in $OUT/gpu-gemm-conv.log where OUT is set.
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
log=${OUT:-/tmp}/gpu-gemm-conv.log
AFTER=$CLASSPATH
source scripts/device/classpath.sh
BEFORE=$(clnn_jars_classpath "$PWD"/.device/before)
NV="variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8 STRIDED_TK=16 MID_TM=64 MID_TN=64 MID_TK=16 MID_WM=4 MID_WN=4"
NV="$NV SMALL_TM=32 SMALL_TN=32 SMALL_TK=16 SMALL_WM=4 SMALL_WN=4 STRIDED_SMALL_TM=32 STRIDED_SMALL_TN=32"
NV="$NV STRIDED_SMALL_TK=16 STRIDED_SMALL_WM=4 STRIDED_SMALL_WN=4"
ALT=${ALT:-$NV}
clnn() {   # which, then the bench arguments
  local which=$1; shift
  local cp=$AFTER opt=""
  [ "$which" = before ] && cp=$BEFORE
  case "$which" in alt) opt="-Dclnn.tune.gemm_tiled=$ALT" ;; esac
  timeout 200 java ${opt:+"$opt"} -cp "$cp" dev.clnn.cli.Main "$@" 2>&1
}
{
python3 - <<'PY'
import torch, torchvision, time
torch.backends.cuda.matmul.allow_tf32 = False; torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
for name in ("resnet18", "resnet50", "mobilenet_v2"):
    m = getattr(torchvision.models, name)().eval()
    x = torch.randn(1, 3, 224, 224)
    if name != "mobilenet_v2":
        torch.onnx.export(m, x, f"/tmp/{name}.onnx", opset_version=17, dynamo=False, input_names=["input"],
                          output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    mc = m.cuda()
    with torch.no_grad():
        for bs in (1, 64):
            xb = torch.randn(bs, 3, 224, 224, device='cuda')
            for _ in range(10): mc(xb)
            torch.cuda.synchronize(); t = time.perf_counter(); n = 100 if bs == 1 else 20
            for _ in range(n): mc(xb)
            torch.cuda.synchronize(); dt = (time.perf_counter() - t) / n
            print(f"REF torch eager {name} batch {bs}: {dt*1e3:.3f} ms per batch, {bs/dt:.0f} img/s")
        xb = torch.randn(1, 3, 224, 224, device='cuda')
        s = torch.cuda.Stream(); s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(5): mc(xb)
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g): mc(xb)
        for _ in range(10): g.replay()
        torch.cuda.synchronize(); t = time.perf_counter()
        for _ in range(200): g.replay()
        torch.cuda.synchronize(); dt = (time.perf_counter() - t) / 200
        print(f"REF torch CUDA graph {name} batch 1: {dt*1e3:.3f} ms")
torch.backends.cuda.matmul.allow_tf32 = False
for n in (256, 512, 1024, 2048):
    a = torch.randn(n, n, device='cuda'); b = torch.randn(n, n, device='cuda')
    for _ in range(5): a @ b
    torch.cuda.synchronize(); reps = 100
    t = time.perf_counter()
    for _ in range(reps): a @ b
    torch.cuda.synchronize(); dt = (time.perf_counter() - t) / reps
    print(f"REF torch cuBLAS SGEMM n={n}: {dt*1e3:.4f} ms, {2*n**3/dt/1e12:.2f} TFLOPS")
PY
for round in $(seq 1 ${ROUNDS:-1}); do
  ORDER=${WHICH:-before after alt}; [ $((round % 2)) = 0 ] && ORDER=$(echo $ORDER | tr ' ' '\n' | tac | tr '\n' ' ')
  for net in ${ONNX-resnet18 resnet50}; do
    for bs in ${ONNX_BATCHES:-1 64}; do
      ex=512; [ $bs = 64 ] && ex=1024
      for which in $ORDER; do
        echo "RUN $which $net batch $bs round $round: $(clnn $which bench --model /tmp/$net.onnx --device gpu --batch-size $bs --examples $ex \
          | grep -E 'latency|kernel time|Correctness|rror' | tr -s ' ' | tr '\n' ' ')"
      done
    done
  done
  for net in ${BUILTIN-mobilenet mobilenet_v2}; do
    for bs in ${BUILTIN_BATCHES:-1 64}; do
      ex=1024; [ $bs = 64 ] && ex=4096
      for which in $ORDER; do
        echo "RUN $which $net batch $bs round $round: $(clnn $which bench $net --device gpu --batch-size $bs --examples $ex \
          | grep -E 'latency|kernel time|Correctness|rror' | tr -s ' ' | tr '\n' ' ')"
      done
    done
  done
done
g() { clnn "$@" | grep -E "^[0-9]: " ; }
[ -n "${SKIP_GEMM:-}" ] || for n in ${GEMM_SIZES:-256 512 1024 2048}; do
  for which in ${WHICH:-after before alt}; do
    echo "GEMM n=$n $which: $(g $which bench gemm --device gpu --no-reference --iterations 100 --size $n)"
  done
  [ $n = 256 ] && { echo "GEMM n=$n forced:"; g after bench gemm --device gpu --no-reference --iterations 100 --size $n \
    --config 'variant=splitk KS=32' --config 'variant=splitk KS=64' --config 'variant=splitk KS=128' \
    --config 'variant=splitk KS=256' --config 'variant=tiled TM=32 TN=32 TK=16 WM=4 WN=4 KS=128'; }
done
[ -n "${SKIP_PROFILE:-}" ] || {
echo "PROFILE after resnet18 batch 1"
clnn after bench --model /tmp/resnet18.onnx --device gpu --examples 256 --profile | grep -E "conv|dense|total|pool" | head -40
echo "PROFILE after resnet18 batch 64"
clnn after bench --model /tmp/resnet18.onnx --device gpu --batch-size 64 --examples 256 --profile | grep -E "conv|dense|total|pool" | head -80
}
} > "$log" 2>&1
grep -E "^(REF|RUN|GEMM)|tiled|splitk" "$log"
