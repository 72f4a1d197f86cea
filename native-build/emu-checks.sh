#!/usr/bin/env bash
# Runs the CPU emulation's checks (docs/cuda-emulation.md) on a build of native-build/build-emu.sh:
# the emulation's own self-test in index order and under a shuffled schedule, then cuda/dev's kernel
# checks (lca_check --quick, then its build with the development variants) under the shuffled
# schedule, where a race shows as a failed check, with
# the grids an H100's 132 multiprocessors give (the grid-stride launchers size grids from the count).
set -euo pipefail
DIR="${1:?usage: emu-checks.sh EMU_DIR [SEED]}"
SEED="${2:-20261123}"
# The self-test provokes every refusal on purpose: mark the emulation's messages as expected ones.
for s in 0 "$SEED"; do
  LCA4J_EMU_SCHEDULE=$s "$DIR/emu_selftest" 2>&1 | sed 's/^lca4j-emu:/      (expected) lca4j-emu:/'
done
LCA4J_EMU_SCHEDULE="$SEED" LCA4J_EMU_SMS=132 "$DIR/lca_check" --quick
echo "emu-checks: the development variants (specialized optimizer kernel, spread kernels)"
LCA4J_EMU_SCHEDULE="$SEED" LCA4J_EMU_SMS=132 "$DIR/lca_check_variants" --quick
