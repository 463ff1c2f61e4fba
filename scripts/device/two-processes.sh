#!/usr/bin/env bash
# Are two H200s slower together only inside one JVM? One bench per GPU in two processes at once,
# beside each alone (nvidia-h200-x2, .device packed):  bash scripts/device/two-processes.sh
set -u
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
b() { java -cp "$CLASSPATH" dev.clnn.cli.Main bench mobilenet --device "$1" --batch-size 64 --examples 4096 2>&1 \
      | grep -E 'execution|latency' | tr -s ' ' | tr '\n' ' '; }
echo "alone 0: $(b 0)"
echo "alone 1: $(b 1)"
b 0 > /tmp/p0.txt & b 1 > /tmp/p1.txt & wait
echo "together 0: $(cat /tmp/p0.txt)"
echo "together 1: $(cat /tmp/p1.txt)"
