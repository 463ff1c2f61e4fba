#!/usr/bin/env bash
# Fails when a test (or the build configuration tests run under) names a file outside the
# repository that no install step of the project provides.
#
# Scans test sources, the JMH suites, the main sources and the POMs for absolute path literals
# under /usr, /etc, /opt, /lib and /var; each must exist and belong (dpkg -S) to a package that
# test.sh installs (CLNN_TEST_PACKAGES, or the OpenCL runtime from clnn_ensure_opencl). A package
# installed by hand on this machine does not count: a fresh machine would not have it.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
# shellcheck source=scripts/opencl-runtime.sh
. scripts/opencl-runtime.sh

provided=("${CLNN_TEST_PACKAGES[@]}" pocl-opencl-icd ocl-icd-libopencl1 ocl-icd-opencl-dev)

# Paths the JVM or the OpenCL driver itself brings, not something a test reads as data.
allowed_prefixes=(/etc/OpenCL/vendors /usr/lib/jvm)

mapfile -t paths < <(
  git ls-files -- '*/src/*.java' '*pom.xml' 'pom.xml' |
    xargs grep -ohE '"(/(usr|etc|opt|lib|var)/[A-Za-z0-9._+/-]+)"|>(/(usr|etc|opt|lib|var)/[A-Za-z0-9._+/-]+)<' |
    tr -d '"<>' | sort -u
)

failures=0
for p in "${paths[@]}"; do
  skip=
  for a in "${allowed_prefixes[@]}"; do
    case "$p" in "$a"*) skip=1 ;; esac
  done
  [ -n "$skip" ] && continue
  if [ ! -e "$p" ]; then
    echo "check-external-files: $p is named by the sources but missing; no install step provides it." >&2
    failures=$((failures + 1))
    continue
  fi
  owners=$(dpkg-query -S "$p" 2>/dev/null | sed 's/: .*//' | tr ', ' '\n\n' | sed '/^$/d' | sed 's/:.*//' | sort -u || true)
  ok=
  for o in $owners; do
    for q in "${provided[@]}"; do
      [ "$o" = "$q" ] && ok=1
    done
  done
  if [ -z "$ok" ]; then
    echo "check-external-files: $p belongs to '${owners:-no package}', which no project script installs;" \
         "add the package to CLNN_TEST_PACKAGES in scripts/opencl-runtime.sh." >&2
    failures=$((failures + 1))
  else
    echo "  $p ($(echo $owners | tr '\n' ' '))"
  fi
done
if [ "$failures" -gt 0 ]; then
  exit 1
fi
echo "check-external-files: every outside file the tests name comes from an installed project package."
