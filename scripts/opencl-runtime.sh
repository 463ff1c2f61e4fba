# Sourced by ./clnn and ./test.sh: makes sure an OpenCL runtime (ICD loader + at least one driver)
# and the Debian packages a command needs are installed.
#
# As root with apt-get, missing packages are installed; otherwise the exact command is printed
# and the caller stops. CLNN_NO_INSTALL=1 never calls apt-get: it prints the command instead.

# Every Debian package a test reads from (data sets, tools); test.sh installs them and
# scripts/check-external-files.sh fails when a test names a file outside the repository that
# none of them (nor the OpenCL runtime) provides.
CLNN_TEST_PACKAGES=(clinfo oclgrind dataset-fashion-mnist)

# The data set `clnn train mnist` reads by default.
CLNN_MNIST_PACKAGE=dataset-fashion-mnist

# An OpenCL driver is registered with the ICD loader.
clnn_has_icd() {
  ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1
}

# The ICD loader is there under the unversioned name libOpenCL.so, which is the name JOCL opens
# (Debian's ocl-icd-libopencl1 ships only libOpenCL.so.1; ocl-icd-opencl-dev adds the link).
clnn_has_loader() {
  local f
  for f in /usr/lib/*/libOpenCL.so /lib/*/libOpenCL.so /usr/lib/libOpenCL.so /usr/local/lib/libOpenCL.so \
           /usr/local/nvidia/lib64/libOpenCL.so; do
    [ -e "$f" ] && return 0
  done
  ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so '
}

clnn_has_opencl() {
  clnn_has_icd && clnn_has_loader
}

# clnn_install_packages PKG...: installs the Debian packages that are not installed yet.
clnn_install_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "clnn: missing packages: ${missing[*]}; install their equivalents with your package manager." >&2
    return 1
  fi
  if [ "$(id -u)" != 0 ] || [ "${CLNN_NO_INSTALL:-0}" = 1 ]; then
    echo "clnn: missing packages: ${missing[*]}. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "clnn: installing ${missing[*]} (apt-get)..." >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# clnn_ensure_opencl: an OpenCL runtime is present, or the CPU runtime (PoCL) and the loader get installed.
clnn_ensure_opencl() {
  clnn_has_opencl && return 0
  local pkgs=(ocl-icd-libopencl1 ocl-icd-opencl-dev)
  if ! clnn_has_icd; then
    echo "clnn: no OpenCL driver found; clnn needs one (the CPU runtime PoCL works on any x86-64 or ARM machine)." >&2
    pkgs=(pocl-opencl-icd "${pkgs[@]}")
  else
    echo "clnn: the OpenCL loader is missing under the name libOpenCL.so, which clnn (JOCL) opens." >&2
  fi
  clnn_install_packages "${pkgs[@]}" || return 1
  clnn_has_opencl || { echo "clnn: the OpenCL runtime is still missing after installing it; see 'clinfo'." >&2; return 1; }
}
