#!/usr/bin/env bash
# On the GPU machine, with .device packed (../shared/tools/device-pack):   bash scripts/device/concurrency.sh
# Throughput with several batches in flight (`bench --concurrency N`) against one at a time, same command:
# - the H200: MobileNet v1/v2 (built in) and ResNet-18/50 (torchvision, random weights, exported by
#   PyTorch) at batch 64, concurrency $GPU_CONC ("1 2 3"), beside PyTorch eager with the batch already on
#   the GPU and with each batch copied from host memory first (pageable and pinned), TF32 off, cudnn.benchmark;
# - PoCL on the 16-core CPU: $CPU_NETS at batch 16, concurrency $CPU_CONC ("1 2 4"), beside ONNX Runtime
#   (CPU provider, default options) at batch 16 (SKIP_CPU=1 leaves this out).
# WHICH ("after") names the jars: "after" is .device/lib, "before" the clnn-*.jar in .device/before (the commit
# to compare against). ROUNDS (1) repeats the clnn runs, reversing the order on even rounds. NETS_GPU
# ("mobilenet mobilenet_v2 resnet18 resnet50") the GPU networks. Full output in $OUT/concurrency.log.
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
log=${OUT:-/tmp}/concurrency.log
source scripts/device/classpath.sh
BEFORE=$(clnn_jars_classpath "$PWD"/.device/before)
clnn() {   # which, then the bench arguments
  local cp=$CLASSPATH; [ "$1" = before ] && cp=$BEFORE; shift
  timeout 200 java -cp "$cp" dev.clnn.cli.Main "$@" 2>&1
}
pick() { grep -E 'latency|in flight|Correctness|rror' | tr -s ' ' | tr '\n' ' '; }
{
python3 - "${SKIP_CPU:-}" "${CPU_NETS:-mobilenet_v2 resnet18}" <<'PY'
import sys, time, torch, torchvision
skip_cpu, cpu_nets = sys.argv[1], sys.argv[2].split()
torch.backends.cuda.matmul.allow_tf32 = False; torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
for name in ("resnet18", "resnet50", "mobilenet_v2"):
    m = getattr(torchvision.models, name)().eval()
    x = torch.randn(1, 3, 224, 224)
    torch.onnx.export(m, x, f"/tmp/{name}.onnx", opset_version=17, dynamo=False, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    mc = m.cuda()
    host = torch.randn(64, 3, 224, 224); pinned = host.pin_memory()
    with torch.no_grad():
        for how, get in (("on the GPU", lambda: dev), ("from pageable host memory", lambda: host.cuda()),
                         ("from pinned host memory", lambda: pinned.cuda(non_blocking=True))):
            dev = host.cuda()
            for _ in range(10): mc(get()).cpu()
            torch.cuda.synchronize(); n = 30; t = time.perf_counter()
            for _ in range(n): mc(get()).cpu()
            torch.cuda.synchronize(); dt = (time.perf_counter() - t) / n
            print(f"REF torch eager {name} batch 64, input {how}, output read back: {64/dt:.0f} img/s")
if not skip_cpu:
    import onnxruntime as ort, numpy as np
    for name in cpu_nets:
        path = f"/tmp/{name}.onnx"
        if name not in ("resnet18", "resnet50", "mobilenet_v2"):
            m = getattr(torchvision.models, name)().eval()
            torch.onnx.export(m, torch.randn(1, 3, 224, 224), path, opset_version=17, dynamo=False,
                              input_names=["input"], output_names=["output"],
                              dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
        s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        x = np.random.rand(16, 3, 224, 224).astype(np.float32)
        for _ in range(3): s.run(None, {"input": x})
        ts = []
        for _ in range(10):
            t = time.perf_counter(); s.run(None, {"input": x}); ts.append(time.perf_counter() - t)
        ts.sort()
        print(f"REF ORT {ort.__version__} CPU {name} batch 16: {16/ts[len(ts)//2]:.1f} img/s (median of 10)")
PY
for round in $(seq 1 ${ROUNDS:-1}); do
  G=${GPU_CONC:-1 2 3}; C=${CPU_CONC:-1 2 4}
  [ $((round % 2)) = 0 ] && { G=$(echo $G | tr ' ' '\n' | tac | tr '\n' ' '); C=$(echo $C | tr ' ' '\n' | tac | tr '\n' ' '); }
  for net in ${NETS_GPU:-mobilenet mobilenet_v2 resnet18 resnet50}; do
    case $net in mobilenet|mobilenet_v2) what="$net"; ex=4096 ;; *) what="--model /tmp/$net.onnx"; ex=1024 ;; esac
    for c in $G; do
      for which in ${WHICH:-after}; do
        echo "RUN gpu $which $net batch 64 concurrency $c round $round: $(clnn $which bench $what --device gpu \
          --batch-size 64 --examples $ex --concurrency $c | pick)"
      done
    done
  done
  [ -n "${SKIP_CPU:-}" ] || for net in ${CPU_NETS:-mobilenet_v2 resnet18}; do
    for c in $C; do
      echo "RUN cpu $net batch 16 concurrency $c round $round: $(clnn after bench --model /tmp/$net.onnx --device cpu \
        --batch-size 16 --examples 256 --concurrency $c | pick)"
    done
  done
done
} > "$log" 2>&1
grep -E "^(REF|RUN)" "$log"
