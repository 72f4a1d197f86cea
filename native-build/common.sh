# Sourced by native-build's scripts. NVCC is the CUDA compiler to use (the NVCC variable, nvcc on
# the PATH, then /usr/local/cuda), or empty when this machine has none.
NVCC="${NVCC:-$(command -v nvcc || true)}"
if [[ -z "$NVCC" && -x /usr/local/cuda/bin/nvcc ]]; then NVCC=/usr/local/cuda/bin/nvcc; fi

# need_nvcc NAME WHAT: without nvcc, says "NAME: nvcc not found; WHAT" and ends the calling script
# with success (a machine without CUDA still builds and tests everything else).
need_nvcc() {
  [[ -n "$NVCC" ]] && return 0
  echo "$1: nvcc not found; $2"
  exit 0
}

# up_to_date TARGET PATH...: TARGET exists and no file under the PATHs (sources, the calling script)
# is newer, so the build can be skipped.
up_to_date() {
  local target="$1"
  shift
  [[ -f "$target" ]] && [[ -z "$(find "$@" -newer "$target" -type f)" ]]
}
