# Sourced by ./clnn and ./test.sh: makes sure an OpenCL runtime (ICD loader + at least one driver)
# and the Debian packages named in CLNN_PACKAGES are installed.
#
# As root with apt-get, missing packages are installed; otherwise the exact command is printed
# and the caller stops.

clnn_has_opencl() {
  ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1 || return 1
  ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so' && return 0
  ls /usr/lib/*/libOpenCL.so* /usr/lib/libOpenCL.so* /usr/local/lib/libOpenCL.so* >/dev/null 2>&1
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
  if [ "$(id -u)" != 0 ]; then
    echo "clnn: missing packages: ${missing[*]}. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "clnn: installing ${missing[*]} (apt-get)..." >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# clnn_ensure_opencl: an OpenCL runtime is present, or the CPU runtime (PoCL) gets installed.
clnn_ensure_opencl() {
  clnn_has_opencl && return 0
  echo "clnn: no OpenCL runtime found; clnn needs one (the CPU runtime PoCL works on any x86-64 or ARM machine)." >&2
  clnn_install_packages pocl-opencl-icd ocl-icd-libopencl1 || return 1
  clnn_has_opencl || { echo "clnn: the OpenCL runtime is still missing after installing it; see 'clinfo'." >&2; return 1; }
}
