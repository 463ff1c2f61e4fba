#!/usr/bin/env bash
# SGEMM on the H200 at n = 1024-4096: the tuned form against double-buffered local slices (DB=1), with
# each call's device time per kernel (packing and product), and PyTorch's cuBLAS (TF32 off) in the same
# command (gemm-configs.sh). Two rounds, the second in reverse order. With .device packed, on the GPU machine:
#   bash scripts/device/gemm-buffers.sh
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
TUNED=1 \
CONFIGS_1024='variant=tiled TM=64 TN=64 TK=16 WM=8 WN=4|variant=tiled TM=64 TN=64 TK=16 WM=8 WN=4 DB=1|variant=tiled TM=64 TN=64 TK=8 WM=8 WN=4 DB=1' \
CONFIGS='variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8|variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8 DB=1|variant=tiled TM=128 TN=128 TK=16 WM=8 WN=8 DB=1|variant=tiled TM=128 TN=128 TK=16 WM=8 WN=8' \
  bash scripts/device/gemm-configs.sh
