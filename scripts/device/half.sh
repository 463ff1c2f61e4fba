#!/usr/bin/env bash
# Half-precision storage (issue "GPU: reach cuBLAS and cuDNN", item 5): `clnn bench --precision fp16`, which
# runs each model in fp32 and then with half-precision activations in the same process and context, and
# prints the fp16 speed against fp32, the top-1 agreement and the largest difference. MobileNet v1 / v2 and
# ResNet-50 (torchvision, random weights, TorchScript export) at batch 1 and 64 on the H200, MobileNet v1 /
# v2 at batch 1 and 16 on PoCL's CPU. With .device packed, from the repository root on the GPU machine:
#   bash scripts/device/half.sh
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
mkdir -p cpu-ort
[ -f cpu-ort/resnet50.onnx ] || python3 - <<'PY'
import torch, torchvision
torch.manual_seed(0)
m = torchvision.models.resnet50().eval()
torch.onnx.export(m, torch.randn(1, 3, 224, 224), "cpu-ort/resnet50.onnx", opset_version=17, dynamo=False,
                  input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
PY
bench() {
  echo "## $*"
  timeout 240 java -cp "$CLASSPATH" dev.clnn.cli.Main bench "$@" --precision fp16 2>&1 \
    | grep -E 'latency|examples/s|^  time|vs fp32|Correctness|failed|rror' | sed 's/^ *//'
}
bench mobilenet --device gpu --examples 1024
bench mobilenet_v2 --device gpu --examples 1024
bench mobilenet --device gpu --batch-size 64 --examples 4096
bench mobilenet_v2 --device gpu --batch-size 64 --examples 4096
bench --model cpu-ort/resnet50.onnx --device gpu --examples 256
bench --model cpu-ort/resnet50.onnx --device gpu --batch-size 64 --examples 1024
bench mobilenet --device cpu --examples 128
bench mobilenet_v2 --device cpu --examples 128
bench mobilenet --device cpu --batch-size 16 --examples 256
