#!/usr/bin/env bash
# SGEMM on the H200: the tuned 128x128 tile against wider tiles (128x256, 256x128, 128x128 with 128
# work-items of 8x16 or 16x8 each), with each call's device time per kernel, and PyTorch's cuBLAS (TF32
# off) in the same command (gemm-configs.sh). Two rounds, the second in reverse order. With .device
# packed, on the GPU machine:
#   bash scripts/device/gemm-wide.sh
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
SIZES=${SIZES:-"2048 4096"} CONFIGS=${CONFIGS:-'variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8|variant=tiled TM=128 TN=256 TK=8 WM=8 WN=16|variant=tiled TM=256 TN=128 TK=8 WM=16 WN=8|variant=tiled TM=128 TN=256 TK=16 WM=8 WN=16|variant=tiled TM=128 TN=128 TK=8 WM=8 WN=16|variant=tiled TM=128 TN=128 TK=8 WM=16 WN=8|variant=tiled TM=256 TN=128 TK=16 WM=8 WN=8|variant=tiled TM=128 TN=256 TK=16 WM=8 WN=8'} \
  bash scripts/device/gemm-configs.sh
