#!/usr/bin/env bash
# The CPU GEMM micro-kernel and the GPU GEMM tiers on the GPU machine, with OpenBLAS (NumPy) and
# cuBLAS (PyTorch, TF32 off) in the same run. With .device packed:  bash scripts/device/cpu-gemm.sh
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
c() { echo "### clnn $*"; timeout 120 java -cp "$CLASSPATH" dev.clnn.cli.Main "$@" 2>&1 | grep -E "^[0-9]: |latency|Correctness: F" | head -8; }
blas() { python3 - "$@" <<'PY'
import sys, time, numpy as np
for n in map(int, sys.argv[1:]):
    a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
    for _ in range(3): a @ b
    reps = max(5, int(2e10 / (2 * n**3))); t = time.perf_counter()
    for _ in range(reps): a @ b
    dt = (time.perf_counter() - t) / reps
    print(f"OpenBLAS (NumPy, all cores) SGEMM n={n}: {2*n**3/dt/1e9:.1f} GFLOPS")
PY
}
for n in 256 1024 2048; do c bench gemm --size $n --device cpu --no-reference --iterations 20; done
blas 256 1024 2048
c bench mobilenet --device cpu --examples 256
c bench mobilenet_v2 --device cpu --examples 256
for n in 256 512 1024 2048 4096; do c bench gemm --size $n --device gpu --no-reference --iterations 50; done
