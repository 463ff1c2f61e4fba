#!/usr/bin/env bash
# The test command: makes sure the OpenCL runtime and test data are installed, then runs every
# test with Maven. An absent OpenCL device fails the run; device tests never skip.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
# shellcheck source=scripts/opencl-runtime.sh
. scripts/opencl-runtime.sh

clnn_ensure_opencl
clnn_install_packages clinfo
command -v mvn >/dev/null 2>&1 || clnn_install_packages maven

echo "== OpenCL devices"
clinfo -l || true

echo "== mvn verify"
mvn -B -ntp verify
