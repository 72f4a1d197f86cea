package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The GPU tests' preconditions: without them a test is skipped with the reason, never passed. In
 * the emulated-device run (system property {@value #EMULATED}, set by java/pom.xml's
 * {@code emulated-device} execution; docs/cuda-emulation.md) a missing device fails the test
 * instead, since that run exists to execute them.
 */
final class GpuAssumptions {
    static final String EMULATED = "lca4j.test.emulated-device";

    private GpuAssumptions() {
    }

    static void device() {
        CudaDevice.Availability a = CudaDevice.probe();
        if (emulated()) assertTrue(a.available(), () -> "the emulated-device run found no device: " + a.reason());
        else assumeTrue(a.available(), () -> "no CUDA device: " + a.reason());
    }

    static void deviceAndCublas() {
        device();
        NativeLibrary.Loaded blas = Cublas.located();
        if (emulated()) assertTrue(blas.lookup() != null, blas::reason);
        else assumeTrue(blas.lookup() != null, blas::reason);
    }

    /** Whether this run's device is the CPU emulation of the CUDA code rather than a GPU. */
    static boolean emulated() {
        return Boolean.getBoolean(EMULATED);
    }

    /**
     * Steps for the no-memory-growth tests: 10,000 on a GPU; 300 on the emulation, whose fibers are
     * some thousand times slower. A step that allocates shows in the live-buffer count after one.
     */
    static int leakSteps() {
        return emulated() ? 300 : 10_000;
    }
}
