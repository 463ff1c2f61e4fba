source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
export CLNN_TUNING_DIR=/tmp/tuning CLNN_PROGRESS=lines
bash scripts/device/gemm-tiles.sh
t() { echo "### clnn tune $*"; timeout 200 java -cp "$CLASSPATH" dev.clnn.cli.Main tune "$@" 2>/dev/null | grep -v "^  [a-z_0-9]* *variant=" ; }
t --device gpu --model mobilenet --budget 50
t --device gpu --model mobilenet_v2 --budget 50
t --device cpu --model mobilenet --budget 90
java -cp "$CLASSPATH" dev.clnn.cli.Main tune --show 2>&1 | tail -30
