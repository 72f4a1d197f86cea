# Sourced by gpu_check.sh and gpu_bench.sh. Sets LCA_CHECK, the command that builds (on a GPU machine)
# and runs cuda/dev's checks and benchmarks, and,
# with LCA4J_EMULATED set to a build of the CPU emulation (native-build/build-emu.sh, e.g.
# java/target/emu), turns the script into a rehearsal that runs here without a GPU: the library,
# cuBLAS and nvidia-smi are the emulation's, so paths, jars, flags and tables are exercised before
# device time is spent. Every header then says EMULATED; no number from a rehearsal is a GPU figure
# (docs/cuda-emulation.md), and none is committed.
if [[ -n "${LCA4J_EMULATED:-}" ]]; then
  EMU="$(cd "$LCA4J_EMULATED" && pwd)"
  [[ -x "$EMU/lca_check" && -f "$EMU/liblca4j.so" ]] || { echo "LCA4J_EMULATED=$LCA4J_EMULATED has no emulation build (native-build/build-emu.sh DIR)" >&2; exit 2; }
  export LCA4J_NATIVE_LIB="$EMU/liblca4j.so" LCA4J_CUBLAS_LIB="$EMU/liblca4j.so"
  nvidia-smi() {
    if [[ "${1:-}" == -L ]]; then echo "GPU 0: lca4j-emu (EMULATED on the CPU, not a GPU)"
    else echo "lca4j-emu (EMULATED on the CPU - not a GPU), n/a, n/a"; fi
  }
  LCA_CHECK=("$EMU/lca_check")
  EMULATED=1
else
  export LCA4J_CHECK_ARCH=sm_90
  LCA_CHECK=(bash cuda/dev/run.sh)
  EMULATED=
fi
