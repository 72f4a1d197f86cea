package org.lca4j.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The GPU tests' preconditions: without them a test is skipped with the reason, never passed. */
final class GpuAssumptions {
    private GpuAssumptions() {
    }

    static void device() {
        CudaDevice.Availability a = CudaDevice.probe();
        assumeTrue(a.available(), () -> "no CUDA device: " + a.reason());
    }

    static void deviceAndCublas() {
        device();
        NativeLibrary.Loaded blas = Cublas.located();
        assumeTrue(blas.lookup() != null, blas::reason);
    }
}
