#!/usr/bin/env bash
# On the GPU machine, with .device packed (../shared/tools/device-pack):  bash scripts/device/gpu-profile.sh
# Where the H200's time goes: ResNet-18/50 (torchvision, random weights, exported by PyTorch) and
# MobileNet v1 per layer at batch 1 and 64 (`bench --profile`), beside PyTorch eager on the same GPU;
# then small SGEMMs, the tuned choice and forced forms, beside cuBLAS.
# ONLY=nets|gemm runs one half. JAVA_OPTS adds -D options to every clnn run.
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
only=${ONLY:-all}
clnn() { timeout 200 java ${JAVA_OPTS:-} -cp "$CLASSPATH" dev.clnn.cli.Main "$@" 2>&1; }
if [ "$only" != gemm ]; then
python3 - <<'PY'
import torch, torchvision, time
torch.backends.cuda.matmul.allow_tf32 = False; torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
for name in ("resnet18", "resnet50"):
    m = getattr(torchvision.models, name)().eval()
    x = torch.randn(1, 3, 224, 224)
    torch.onnx.export(m, x, f"/tmp/{name}.onnx", opset_version=17, dynamo=False, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    mc = m.cuda()
    with torch.no_grad():
        for bs in (1, 64):
            xb = torch.randn(bs, 3, 224, 224, device='cuda')
            for _ in range(10): mc(xb)
            torch.cuda.synchronize(); t = time.perf_counter(); n = 50 if bs == 1 else 10
            for _ in range(n): mc(xb)
            torch.cuda.synchronize(); dt = (time.perf_counter() - t) / n
            print(f"torch eager {name} batch {bs}: {dt*1e3:.3f} ms per batch, {bs/dt:.0f} img/s")
PY
for name in resnet18 resnet50; do
  for bs in 1 64; do
    ex=512; [ $bs = 64 ] && ex=1024
    echo "## clnn $name batch $bs"
    clnn bench --model /tmp/$name.onnx --device gpu --batch-size $bs --examples $ex --profile \
      | grep -v -E "^\s*$|WARNING|SignalChaining|compile|memory|Reference|Device \[" | head -${PROFILE_LINES:-90}
  done
done
echo "## clnn mobilenet batch 1"
clnn bench mobilenet --device gpu --examples 1024 --profile | grep -v -E "^\s*$|WARNING|SignalChaining" | head -${PROFILE_LINES:-90}
fi
if [ "$only" != nets ]; then
g() { clnn bench gemm --device gpu --no-reference --iterations 50 "$@" | grep -E "^[0-9]: " ; }
for n in 256 512 1024; do
  echo "### n=$n tuned"; g --size $n
  [ -n "${GEMM_CONFIGS:-}" ] && { echo "### n=$n forced"; eval "g --size $n $GEMM_CONFIGS"; }
done
python3 - <<'PY'
import torch, time
torch.backends.cuda.matmul.allow_tf32 = False
for n in (256, 512, 1024):
    a = torch.randn(n, n, device='cuda'); b = torch.randn(n, n, device='cuda')
    for _ in range(5): a @ b
    torch.cuda.synchronize(); reps = 50
    t = time.perf_counter()
    for _ in range(reps): a @ b
    torch.cuda.synchronize(); dt = (time.perf_counter() - t) / reps
    print(f"torch cuBLAS SGEMM n={n}: {dt*1e3:.3f} ms, {2*n**3/dt/1e12:.2f} TFLOPS")
PY
fi
