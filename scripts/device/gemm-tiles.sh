#!/usr/bin/env bash
# SGEMM on the H200 at every size: the tuned choice, a sweep of tile shapes and split-K, and
# PyTorch's cuBLAS (TF32 off) in the same run. With .device packed, on the GPU machine:
#   bash scripts/device/gemm-tiles.sh
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
g() { timeout 120 java -cp "$CLASSPATH" dev.clnn.cli.Main bench gemm --device gpu --no-reference --iterations 50 "$@" 2>&1 \
        | grep -E "^0: |^[0-9]: " ; }
for n in 256 512 1024 2048 4096; do
  echo "### n=$n tuned"
  g --size $n
  echo "### n=$n sweep"
  g --size $n --config 'variant=tiled TM=32 TN=32 TK=16 WM=4 WN=4' --config 'variant=tiled TM=64 TN=32 TK=16 WM=4 WN=4' \
    --config 'variant=tiled TM=64 TN=64 TK=16 WM=4 WN=4' --config 'variant=tiled TM=64 TN=64 TK=8 WM=8 WN=8' \
    --config 'variant=tiled TM=128 TN=64 TK=8 WM=8 WN=8' --config 'variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8' \
    --config 'variant=splitk KS=64' --config 'variant=splitk KS=128'
done
python3 - <<'PY'
import torch, time
torch.backends.cuda.matmul.allow_tf32 = False
for n in (256, 512, 1024, 2048, 4096):
    a = torch.randn(n, n, device='cuda'); b = torch.randn(n, n, device='cuda')
    for _ in range(5): a @ b
    torch.cuda.synchronize(); reps = 50
    t = time.perf_counter()
    for _ in range(reps): a @ b
    torch.cuda.synchronize(); dt = (time.perf_counter() - t) / reps
    print(f"torch cuBLAS SGEMM n={n}: {dt*1e3:.3f} ms, {2*n**3/dt/1e12:.2f} TFLOPS")
PY
