"""PyTorch's cuBLAS SGEMM (TF32 off) on the GPU machine, the reference the GEMM scripts print beside clnn.

    python3 scripts/device/cublas_sgemm.py [--rounds R] [--reps N] N [N ...]

Square products of each size N, N x N random operands on the GPU, timed back to back with one
synchronisation (as `clnn bench gemm` times its "pipelined" figure), R rounds each.
"""
import argparse
import time

import torch


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sizes", type=int, nargs="+")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--reps", type=int, default=50)
    args = p.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    for n in args.sizes:
        a = torch.randn(n, n, device="cuda")
        b = torch.randn(n, n, device="cuda")
        for _ in range(5):
            a @ b
        for rnd in range(1, args.rounds + 1):
            torch.cuda.synchronize()
            t = time.perf_counter()
            for _ in range(args.reps):
                a @ b
            torch.cuda.synchronize()
            dt = (time.perf_counter() - t) / args.reps
            print(f"torch cuBLAS SGEMM n={n} round {rnd}: {dt * 1e3:.3f} ms, {2 * n ** 3 / dt / 1e12:.2f} TFLOPS")


if __name__ == "__main__":
    main()
