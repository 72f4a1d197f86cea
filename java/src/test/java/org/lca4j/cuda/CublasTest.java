package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cuBLAS lookup everywhere; SGEMM against a double-precision loop only where a device is. */
class CublasTest {
    @TempDir
    Path tmp;

    @Test
    void anExplicitPathThatIsNotThereIsNamed() {
        Path missing = tmp.resolve("libcublas.so.13");
        NativeLibrary.Loaded l = Cublas.find(missing.toString());
        assertNull(l.lookup());
        assertTrue(l.reason().contains(missing.toString()) && l.reason().contains(Cublas.PROPERTY), l.reason());
    }

    @Test
    void theSearchCoversCudaAndPipDirectories() {
        assertTrue(Cublas.usualDirectories().contains(Path.of("/usr/local/cuda/lib64")));
        NativeLibrary.Loaded l = Cublas.find(null);
        if (l.lookup() == null) {
            assertTrue(l.reason().contains("libcublas.so.13") && l.reason().contains(Cublas.ENV), l.reason());
        } else {
            assertTrue(l.source().contains("libcublas.so.1"), l.source());
        }
    }

    @Test
    void sgemmMatchesADoubleLoopOnOddSizes() {
        GpuAssumptions.deviceAndCublas();
        Lca4jNative api = CudaDevice.api();
        Random r = new Random(5);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                int m = 37, n = 23, k = 129;
                int lda = ta ? k : m, ldb = tb ? n : k;
                float[] A = random(r, m * k), B = random(r, k * n), C = random(r, m * n);
                double[] ref = new double[m * n];
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < m; i++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) {
                            double x = ta ? A[p + i * lda] : A[i + p * lda];
                            double y = tb ? B[j + p * ldb] : B[p + j * ldb];
                            s += x * y;
                        }
                        ref[i + j * m] = 0.5 * s + 2.0 * C[i + j * m];
                    }
                }
                float[] out = new float[m * n];
                try (Cublas blas = Cublas.open(0); DeviceBuffer da = new DeviceBuffer(api, A.length * 4L);
                     DeviceBuffer db = new DeviceBuffer(api, B.length * 4L); DeviceBuffer dc = new DeviceBuffer(api, C.length * 4L)) {
                    api.copyToDevice(da.address(), MemorySegment.ofArray(A));
                    api.copyToDevice(db.address(), MemorySegment.ofArray(B));
                    api.copyToDevice(dc.address(), MemorySegment.ofArray(C));
                    blas.sgemm(ta, tb, m, n, k, 0.5f, da.address(), lda, db.address(), ldb, 2f, dc.address(), m);
                    api.synchronize();
                    api.copyToHost(MemorySegment.ofArray(out), dc.address());
                }
                for (int i = 0; i < out.length; i++) {
                    assertEquals(ref[i], out[i], 1e-4 * (1 + Math.abs(ref[i])), "transA " + ta + " transB " + tb + " at " + i);
                }
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /**
     * A null matrix address is refused naming the matrix. cuBLAS itself does not check pointers: on a
     * GPU the product faults and the CUDA context is lost (the emulation, stricter, said only
     * CUBLAS_STATUS_INVALID_VALUE).
     */
    @Test
    void aNullMatrixIsNamed() {
        GpuAssumptions.deviceAndCublas();
        Lca4jNative api = CudaDevice.api();
        try (Cublas blas = Cublas.open(0); DeviceBuffer d = new DeviceBuffer(api, 64 * 4L)) {
            long p = d.address();
            String[] names = {"A", "B", "C"};
            long[][] args = {{0, p, p}, {p, 0, p}, {p, p, 0}};
            for (int i = 0; i < 3; i++) {
                long[] x = args[i];
                var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> blas.sgemm(false, false, 4, 4, 4, 1f, x[0], 4, x[1], 4, 0f, x[2], 4));
                assertEquals("cuBLAS sgemm: " + names[i] + " device address is null", e.getMessage());
            }
            blas.sgemm(false, false, 4, 4, 4, 1f, p, 4, p, 4, 0f, p + 16 * 4, 4); // still works
        }
    }
}
