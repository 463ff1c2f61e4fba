#!/usr/bin/env bash
# The test command: makes sure the OpenCL runtime and test data are installed, then runs every
# test with Maven. An absent OpenCL device fails the run; device tests never skip.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
# shellcheck source=scripts/opencl-runtime.sh
. scripts/opencl-runtime.sh

clnn_ensure_opencl
clnn_install_packages "${CLNN_TEST_PACKAGES[@]}"
command -v mvn >/dev/null 2>&1 || clnn_install_packages maven

echo "== files the tests read from outside the repository"
scripts/check-external-files.sh

echo "== OpenCL devices"
clinfo -l || true

echo "== mvn verify"
mvn -B -ntp verify

# The kernel tests again under Oclgrind's simulator, with data-race and uninitialised-value checks.
# Oclgrind exits cleanly even when it reports errors, so any line in its log fails the run.
echo "== kernel tests under Oclgrind"
log=core/target/oclgrind.log
rm -f "$log"
mvn -B -ntp -q -pl core -am test -Poclgrind
if [ -s "$log" ]; then
  echo "Oclgrind reported errors (out-of-bounds access, data race or uninitialised value); first lines of $log:" >&2
  head -n 60 "$log" >&2
  exit 1
fi
echo "Oclgrind: no out-of-bounds access, data race or uninitialised value reported."
