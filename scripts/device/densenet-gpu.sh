#!/usr/bin/env bash
# DenseNet-121 at batch 1 on the H200: clnn with the normalisation fold and the concatenations in
# place against both off, alternated, beside PyTorch eager (cuDNN, TF32 off, cudnn.benchmark) in the
# same command (issue "GPU: reach cuBLAS and cuDNN"). With .device packed, from the repository root on
# the GPU machine:   bash scripts/device/densenet-gpu.sh
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
mkdir -p cpu-ort
python3 - <<'PY'
import time, torch, torchvision
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
torch.manual_seed(0)
m = torchvision.models.densenet121().eval()
x = torch.randn(1, 3, 224, 224)
torch.onnx.export(m, x, "cpu-ort/densenet121.onnx", opset_version=17, dynamo=False, input_names=["input"],
                  output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
m, xc = m.cuda(), x.cuda()
with torch.no_grad():
    for _ in range(20): m(xc)
    torch.cuda.synchronize(); t = []
    for _ in range(100):
        t0 = time.perf_counter(); m(xc); torch.cuda.synchronize(); t.append(time.perf_counter() - t0)
t.sort(); print(f"torch eager densenet121 batch 1: {t[50]*1e3:.3f} ms (median of 100)", flush=True)
PY
for _ in 1 2; do
  for opts in "-Dclnn.fuseNorms=off -Dclnn.concatInPlace=off" "-Dclnn.fuseNorms=on"; do
    # shellcheck disable=SC2086
    echo "clnn densenet121 [$opts]: $(timeout 120 java $opts -cp "$CLASSPATH" dev.clnn.cli.Main bench --model \
      cpu-ort/densenet121.onnx --device gpu --examples 256 2>&1 | grep -E 'latency|kernel time|Correctness|rror' \
      | tr -s ' ' | tr '\n' ' ')"
  done
done
