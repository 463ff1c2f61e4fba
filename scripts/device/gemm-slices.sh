#!/usr/bin/env bash
# SGEMM below n=2048 on the H200: the table's choice against tiled tiles cut into K slices (KS), so
# that a square product small enough to leave compute units idle gives each of them work, beside
# PyTorch's cuBLAS (TF32 off) in the same run (issue "GPU: reach cuBLAS", item 1). With .device packed,
# on the GPU machine:   bash scripts/device/gemm-slices.sh
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
g() { timeout 150 java -cp "$CLASSPATH" dev.clnn.cli.Main bench gemm --device gpu --no-reference --iterations 100 "$@" 2>&1 \
        | grep -E "^[0-9]: " ; }
t32='variant=tiled TM=32 TN=32 TK=16 WM=4 WN=4'
t64='variant=tiled TM=64 TN=64 TK=16 WM=4 WN=4'
t64w='variant=tiled TM=64 TN=64 TK=8 WM=8 WN=8'
for n in 256 512 1024; do
  echo "### n=$n table"
  g --size $n
  echo "### n=$n slices"
  g --size $n --config "$t32" --config "$t32 KS=64" --config "$t32 KS=128" --config "$t64 KS=64" --config "$t64 KS=128" \
    --config "$t64 KS=256" --config "$t64w KS=64" --config "$t64w KS=128" --config "$t64w KS=256"
done
python3 - <<'PY'
import torch, time
torch.backends.cuda.matmul.allow_tf32 = False
for n in (256, 512, 1024):
    a = torch.randn(n, n, device='cuda'); b = torch.randn(n, n, device='cuda')
    for _ in range(5): a @ b
    torch.cuda.synchronize(); reps = 100
    t = time.perf_counter()
    for _ in range(reps): a @ b
    torch.cuda.synchronize(); dt = (time.perf_counter() - t) / reps
    print(f"torch cuBLAS SGEMM n={n}: {dt*1e3:.4f} ms, {2*n**3/dt/1e12:.2f} TFLOPS")
PY
