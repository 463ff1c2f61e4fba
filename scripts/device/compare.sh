#!/usr/bin/env bash
# Runs clnn before (.device/before) and after (.device/lib) on the GPU machine, interleaved.
# Pack first: ../shared/tools/device-pack (the "after" jars in .device/lib), copy the clnn-*.jar of the
# commit to compare against (and any dependency it needs that .device/lib lacks) into .device/before,
# and Fashion-MNIST's t10k-* files into .device/data. On the device, from the repository root:
#   bash scripts/device/compare.sh models | profile | kernels
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
export CLNN_PROGRESS=lines
AFTER="$CLASSPATH"
source scripts/device/classpath.sh
BEFORE=$(clnn_jars_classpath "$PWD"/.device/before)
mkdir -p /tmp/mnist
for f in .device/data/t10k-*; do b=$(basename "$f"); cp "$f" /tmp/mnist/"$b"; cp "$f" /tmp/mnist/"${b/t10k/train}"; done
c() { local which=$1; shift; local cp=$AFTER; [ "$which" = before ] && cp=$BEFORE
      echo "### $which: clnn $*"; timeout 300 java -Xmx16g -cp "$cp" dev.clnn.cli.Main "$@" 2>&1 | tr '\r' '\n' | grep -v '^\s*$' | tail -n ${TAILN:-40}; }
both() { c before "$@"; c after "$@"; }
case "$1" in
  models)
    c after devices
    both bench mobilenet --device all
    both bench mobilenet_v2 --device all
    both bench mnist_cnn --device all
    both bench mobilenet --device gpu --batch-size 64 --examples 4096
    both bench mobilenet_v2 --device gpu --batch-size 64 --examples 4096
    ;;
  profile)
    both bench mobilenet_v2 --device cpu --examples 256 --profile
    both bench mnist_cnn --device cpu --examples 512 --profile
    ;;
  kernels)
    for n in 256 1024 4096; do both bench gemm --size $n --device gpu --no-reference; done
    both bench gemm --size 1024 --device cpu --no-reference
    both bench ops --device all
    both train mnist --epochs 1 --data /tmp/mnist --device gpu
    both train mnist --epochs 1 --data /tmp/mnist --device cpu
    python3 - <<'PY'
import torch, time
torch.backends.cuda.matmul.allow_tf32 = False
for n in (256, 1024, 4096):
    a = torch.randn(n, n, device='cuda'); b = torch.randn(n, n, device='cuda')
    for _ in range(3): a @ b
    torch.cuda.synchronize(); reps = 50 if n < 4096 else 20
    t = time.perf_counter()
    for _ in range(reps): a @ b
    torch.cuda.synchronize(); dt = (time.perf_counter() - t) / reps
    print(f"torch cuBLAS SGEMM n={n}: {2*n**3/dt/1e12:.2f} TFLOPS")
PY
    ;;
esac
