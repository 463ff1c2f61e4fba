#!/usr/bin/env bash
# On the GPU machine, with .device packed (../shared/tools/device-pack):  bash scripts/device/resnet.sh
# ResNet-18 / ResNet-50 (torchvision, random weights, exported by PyTorch) on clnn, with the direct
# and the implicit-GEMM convolution, beside PyTorch eager on the same GPU.
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
python3 - <<'PY'
import torch, torchvision, time
torch.backends.cuda.matmul.allow_tf32 = False; torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
for name in ("resnet18", "resnet50"):
    m = getattr(torchvision.models, name)().eval()
    x = torch.randn(1, 3, 224, 224)
    torch.onnx.export(m, x, f"/tmp/{name}.onnx", opset_version=17, dynamo=False, input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    mc = m.cuda(); xc = x.cuda()
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
  for variant in default implicit_gemm; do
    opt=""; [ $variant = implicit_gemm ] && opt="-Dclnn.tune.conv2d=variant=implicit_gemm"
    for bs in 1 64; do
      ex=512; [ $bs = 64 ] && ex=1024
      echo "## clnn $name $variant batch $bs: $(timeout 200 java $opt -cp "$CLASSPATH" dev.clnn.cli.Main bench --model /tmp/$name.onnx --device gpu --batch-size $bs --examples $ex 2>&1 | grep -E 'latency|kernel time|Correctness|rror' | tr -s ' ' | tr '\n' ' ')"
    done
  done
done
