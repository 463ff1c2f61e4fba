#!/usr/bin/env bash
# Layers' A read in float4s by the tiled GEMM (-Dclnn.gemm.vectorA=on, the default) against element-wise reads
# (off), on whole networks on the H200 through scripts/device/alternate.sh (ROUNDS rounds, PyTorch once).
# NETS and BATCHES narrow the run. With .device packed, from the repository root on the GPU machine:
#   bash scripts/device/vector-a.sh
# Logs under $OUT/vector-a/ where OUT is set.
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
RUN_NAME=vector-a NETS="${NETS:-mobilenet resnet50}" BATCHES="${BATCHES:-1 64}" \
  bash scripts/device/alternate.sh off=-Dclnn.gemm.vectorA=off on=-Dclnn.gemm.vectorA=on
