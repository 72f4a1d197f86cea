# Sourced by native-build's scripts: NVCC is the CUDA compiler to use (the NVCC variable, nvcc on
# the PATH, then /usr/local/cuda), or empty when this machine has none.
NVCC="${NVCC:-$(command -v nvcc || true)}"
if [[ -z "$NVCC" && -x /usr/local/cuda/bin/nvcc ]]; then NVCC=/usr/local/cuda/bin/nvcc; fi
