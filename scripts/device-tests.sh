#!/usr/bin/env bash
# Runs the device test suites from a packed runtime (../shared/tools/device-pack, plus the JUnit
# console launcher and core's test classes under .device/test) on a machine without Maven:
#   scripts/device-tests.sh [junit console options...]
# Suites that need files the packed runtime does not carry (Fashion-MNIST, ONNX Runtime) are left out.
# With the device tool's $OUT set, a JVM crash report (hs_err) is written there and comes back with the
# results. DUMP_AFTER=SECONDS prints a thread dump (SIGQUIT) after that long, for a run that hangs.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# shellcheck source=/dev/null
. "$root/.device/env.sh"
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so${LD_PRELOAD:+:$LD_PRELOAD}"
cmd=(java)
[ -n "${OUT:-}" ] && cmd+=(-XX:ErrorFile="$OUT/hs_err_%p.log")
cmd+=(-Dclnn.cache.dir=/tmp/clnn-test-cache -jar "$root/.device/test/console.jar" execute
  -cp "$CLASSPATH:$root/.device/test/classes"
  --select-package dev.clnn.cl --select-package dev.clnn.tensor --select-package dev.clnn.ops
  --select-package dev.clnn.graph --select-package dev.clnn.models --select-package dev.clnn.nn
  --select-class dev.clnn.train.AdamTest --select-class dev.clnn.train.SgdTest
  --details=summary --disable-banner "$@")
if [ -z "${DUMP_AFTER:-}" ]; then
  exec "${cmd[@]}"
fi
set -m      # job control: a background job of a script would otherwise start with SIGQUIT ignored
"${cmd[@]}" &
pid=$!
(
  sleep "$DUMP_AFTER" & sleeper=$!
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  wait "$sleeper"
  kill -QUIT "$pid" 2>/dev/null || true
) &
watchdog=$!
status=0
wait "$pid" || status=$?
kill "$watchdog" 2>/dev/null || true     # a run that ends first leaves no sleeper behind
exit "$status"
