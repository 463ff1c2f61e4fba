#!/usr/bin/env bash
# Issue "GPU: reach cuBLAS and cuDNN", item 3 and the ResNet targets of item 2, measured the way the
# reference is: PyTorch's GPU figures have the batch already on the GPU and enqueue the calls back to
# back (eager, and CUDA-graph replay), so clnn is timed with `bench --resident` (input on the device,
# output left there, one wait at the end) beside its usual per-call figure (copy in, run, copy out).
# MobileNet v1 (timm's mobilenetv1_100 for PyTorch; clnn's built-in network), MobileNet v2, ResNet-18 and
# ResNet-50 (torchvision, random weights, TorchScript export for clnn), batch 1 and 64, on the H200.
# With .device packed, from the repository root on the GPU machine:   bash scripts/device/resident.sh
# Narrower runs: NETS="mobilenet mobilenet_v2 resnet18 resnet50", BATCHES="1 64", PROFILE=1 adds
# `--profile` (the per-layer tables go to $OUT/resident.log), CLNN_OPTS passes -D options to clnn,
# SKIP_TORCH=1 leaves PyTorch out, CLNN_JARS=FOLDER runs the clnn jars there (an earlier build's). Full output in $OUT/resident.log where OUT is set.
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
source .device/env.sh
if [ -n "${CLNN_JARS:-}" ]; then    # another build's clnn jars (a folder), with the same dependencies
  source scripts/device/classpath.sh
  CLASSPATH=$(clnn_jars_classpath "$CLNN_JARS")
fi
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
log=${OUT:-/tmp}/resident.log
NETS=${NETS:-mobilenet mobilenet_v2 resnet18 resnet50}
mkdir -p cpu-ort
{
[ "${SKIP_TORCH:-0}" = 1 ] || NETS="$NETS" BATCHES="${BATCHES:-1 64}" python3 - <<'PY'
import os, time, torch, torchvision
torch.backends.cuda.matmul.allow_tf32 = False; torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
for name in os.environ["NETS"].split():
    if name == "mobilenet":
        import timm
        m = timm.create_model("mobilenetv1_100", pretrained=False).eval()
    else:
        m = getattr(torchvision.models, name)().eval()
    if name.startswith("resnet") and not os.path.exists(f"cpu-ort/{name}.onnx"):
        torch.onnx.export(m, torch.randn(1, 3, 224, 224), f"cpu-ort/{name}.onnx", opset_version=17, dynamo=False,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    mc = m.cuda()
    with torch.no_grad():
        for bs in map(int, os.environ["BATCHES"].split()):
            xb = torch.randn(bs, 3, 224, 224, device="cuda")
            n = 200 if bs == 1 else 30
            for _ in range(10): mc(xb)
            torch.cuda.synchronize(); t = time.perf_counter()
            for _ in range(n): mc(xb)
            torch.cuda.synchronize(); dt = (time.perf_counter() - t) / n
            print(f"REF torch eager {name} batch {bs}: {dt*1e3:.3f} ms per batch, {bs/dt:.0f} img/s")
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
for net in $NETS; do
  for bs in ${BATCHES:-1 64}; do
    ex=1024; [ $bs = 64 ] && ex=4096
    case $net in resnet*) what=(--model "cpu-ort/$net.onnx"); ex=$((ex / 4)) ;; *) what=("$net") ;; esac
    echo "## clnn $net batch $bs"
    timeout 300 java ${CLNN_OPTS:-} -cp "$CLASSPATH" dev.clnn.cli.Main bench "${what[@]}" --device gpu \
      --batch-size $bs --examples $ex --resident ${PROFILE:+--profile} 2>&1
  done
done
} > "$log" 2>&1
grep -E '^REF|^## |latency|resident  |kernel time|Correctness|failed|rror' "$log" | sed 's/^ *//'
