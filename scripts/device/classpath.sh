# Sourced by the device scripts: the classpath of another build's clnn jars with this pack's dependencies.
#   source scripts/device/classpath.sh; BEFORE=$(clnn_jars_classpath .device/before)
# Prints FOLDER's clnn-*.jar (or every jar there: an earlier build's jars) followed by the jars of
# .device/lib that are not clnn's own.
clnn_jars_classpath() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  echo "$(ls "$1"/*.jar 2>/dev/null | tr '\n' ':')$(ls "$root"/.device/lib/*.jar | grep -v '/clnn-' | tr '\n' ':')"
}
