#!/usr/bin/env bash
# Several devices in one model (bench --split), on nvidia-h200-x2, with .device packed:
#   bash scripts/device/split.sh
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
c() { echo "### clnn $*"; timeout 240 java -cp "$CLASSPATH" dev.clnn.cli.Main "$@" 2>&1 | grep -v "^OpenJDK" | grep -E "Device|^[0-9]|split|shares|^ +[0-9]: |examples/s|Correctness|no share|rror" | head -30; }
c devices
c bench mobilenet --device gpu --split --batch-size 64 --examples 4096
c bench mobilenet --device all --split --batch-size 64 --examples 2048
