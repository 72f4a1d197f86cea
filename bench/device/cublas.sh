# Sourced by the device scripts: points lca4j at cuBLAS when LCA4J_CUBLAS_LIB is unset. The GPU
# machine has it only inside pip's nvidia packages of its Python environment (a venv lca4j's own
# search does not know), so ask that Python where they are.
if [[ -z "${LCA4J_CUBLAS_LIB:-}" ]]; then
  LCA4J_CUBLAS_LIB="$(python3 -c "import nvidia, glob, os; print(next(iter(sorted(f for d in nvidia.__path__ for f in glob.glob(os.path.join(d, '**', 'libcublas.so.1*'), recursive=True))), ''))" 2>/dev/null || true)"
  export LCA4J_CUBLAS_LIB
fi
