package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.Lca;
import org.lca4j.core.ParamLayout;
import org.lca4j.cpu.CpuLcaAccumulator;

/** What a machine without a GPU sees: a clean reason, the CPU under auto, a one-line refusal under cuda. */
class CudaFallbackTest {

    @Test
    void theJarsLibraryLoadsWhenTheBuildHadNvcc() {
        boolean packed = NativeLibrary.class.getResource("/native/" + NativeLibrary.platform() + "/liblca4j.so") != null;
        NativeLibrary.Loaded lib = NativeLibrary.load(null);
        if (packed) {
            assertNotNull(lib.lookup(), lib.reason());
            // Binding checks every symbol and the ABI version, and asking for devices must not fail without a driver.
            Lca4jNative api = new Lca4jNative(lib.lookup());
            assertTrue(api.deviceCount() >= 0);
        } else {
            assertNull(lib.lookup());
            assertTrue(lib.reason().contains("built without nvcc"), lib.reason());
        }
    }

    /**
     * With no writable temporary directory the jar's library cannot be extracted; the reason was the
     * IOException's bare message, here just a path, with no word of what went wrong or what to do.
     */
    @Test
    void aTemporaryDirectoryThatCannotBeWrittenIsNamed(@TempDir Path dir) {
        assumeTrue(NativeLibrary.class.getResource("/native/" + NativeLibrary.platform() + "/liblca4j.so") != null,
                "this build has no CUDA library to extract (built without nvcc)");
        Path missing = dir.resolve("no-such-dir");
        NativeLibrary.Loaded l = NativeLibrary.load(null, missing);
        assertNull(l.lookup());
        assertTrue(l.reason().contains("in " + missing) && l.reason().contains("NoSuchFileException") && l.reason().contains("java.io.tmpdir")
                && l.reason().lines().count() == 1, l.reason());
    }

    @Test
    void aBadExplicitPathIsNamed(@TempDir Path dir) throws Exception {
        NativeLibrary.Loaded missing = NativeLibrary.load(dir.resolve("nowhere.so").toString());
        assertNull(missing.lookup());
        assertTrue(missing.reason().contains("nowhere.so"), missing.reason());
        Path junk = Files.write(dir.resolve("junk.so"), new byte[] {1, 2, 3});
        NativeLibrary.Loaded bad = NativeLibrary.load(junk.toString());
        assertNull(bad.lookup());
        assertTrue(bad.reason().contains("junk.so"), bad.reason());
    }

    /**
     * A truncated library (an interrupted copy) used to reach dlopen, which maps segments past the end
     * of the file: the JVM died of SIGBUS. Now it is refused with the reason, as is a file that is no
     * ELF library at all (the loader said only "Cannot open library", after a JVM stack-guard warning).
     */
    @Test
    void aTruncatedOrForeignFileIsRefusedBeforeTheLoaderSeesIt(@TempDir Path dir) throws Exception {
        Path real = null;
        for (String name : new String[] {"libzip.so", "libjimage.so", "libjava.so"}) {
            Path p = Path.of(System.getProperty("java.home"), "lib", name);
            if (Files.isRegularFile(p)) real = p;
        }
        assumeTrue(real != null, "no JDK library to truncate in " + System.getProperty("java.home"));
        assertNull(NativeLibrary.loadProblem(real), "a whole library is loadable");
        Path cut = Files.write(dir.resolve("cut.so"), java.util.Arrays.copyOf(Files.readAllBytes(real), 4096));
        for (NativeLibrary.Loaded l : new NativeLibrary.Loaded[] {NativeLibrary.load(cut.toString()), Cublas.find(cut.toString())}) {
            assertNull(l.lookup());
            assertTrue(l.reason().contains("cut.so") && l.reason().contains("truncated") && l.reason().lines().count() == 1, l.reason());
        }
        Path text = Files.writeString(dir.resolve("text.so"), "not a library\n");
        NativeLibrary.Loaded t = NativeLibrary.load(text.toString());
        assertNull(t.lookup());
        assertTrue(t.reason().contains("text.so") && t.reason().contains("no ELF header"), t.reason());
    }

    /**
     * An older liblca4j that lacks one kernel entry point (same ABI version) used to pass the probe,
     * which bound only the runtime functions: --device auto chose CUDA and the run then failed when
     * the GPU model bound the kernels. Now the probe refuses it, naming the symbol and the library.
     */
    @Test
    void aStaleLibraryMissingAKernelIsRefusedByTheProbe() {
        NativeLibrary.Loaded lib = NativeLibrary.get();
        if (GpuAssumptions.emulated()) assertNotNull(lib.lookup(), lib.reason());
        assumeTrue(lib.lookup() != null, () -> "no liblca4j here: " + lib.reason());
        java.lang.foreign.SymbolLookup stale = name -> name.equals("lca4j_sum_rows") ? java.util.Optional.empty() : lib.lookup().find(name);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Lca4jNative(stale));
        assertTrue(e.getMessage().contains("lca4j_sum_rows"), e.getMessage());
        CudaDevice.Availability a = CudaDevice.probe(new NativeLibrary.Loaded(stale, "old-liblca4j.so", null));
        assertTrue(!a.available() && a.reason().contains("old-liblca4j.so") && a.reason().contains("lca4j_sum_rows")
                && a.reason().lines().count() == 1, a.reason());
    }

    /**
     * LCA4J_CUBLAS_LIB at a library that loads but is not cuBLAS was "found": the device line said
     * gradients on the GPU and the run then stopped with "cuBLAS library has no symbol
     * cublasCreate_v2". Now the search refuses it with the reason, and gradients stay on the CPU.
     */
    @Test
    void aLibraryThatIsNotCublasIsNotFoundAsCublas() {
        Path notCublas = Path.of(System.getProperty("java.home"), "lib", "libzip.so");
        assumeTrue(Files.isRegularFile(notCublas), "no " + notCublas);
        NativeLibrary.Loaded l = Cublas.find(notCublas.toString());
        assertNull(l.lookup(), "libzip.so taken for cuBLAS");
        assertTrue(l.reason().contains("libzip.so") && l.reason().contains("cublasCreate_v2") && l.reason().lines().count() == 1, l.reason());
    }

    /**
     * The CUDA runtime reports "insufficient driver" both without a driver and with one older than
     * itself, and lca4j_device_count turned both into "no device": a machine with a GPU and a driver
     * too old for the jar's CUDA 13 runtime read "no CUDA device (or no NVIDIA driver) on this
     * machine". The old driver is named now. Emulation only (LCA4J_EMU_DRIVER, set here through
     * setenv): no GPU machine can be made to have an old driver.
     */
    @Test
    @Tag("emulation") // skips off the emulation; gpu_check.sh leaves it out
    void aDriverOlderThanTheRuntimeIsNamedNotTakenForNoDevice() throws Throwable {
        assumeTrue(GpuAssumptions.emulated(), "needs the emulated device (its LCA4J_EMU_DRIVER)");
        NativeLibrary.Loaded lib = NativeLibrary.get();
        try {
            setenv("LCA4J_EMU_DRIVER", "old");
            CudaDevice.Availability old = CudaDevice.probe(lib);
            assertTrue(!old.available() && old.reason().contains("NVIDIA driver is older than the CUDA runtime")
                    && old.reason().contains("update the driver") && old.reason().lines().count() == 1, old.reason());
            setenv("LCA4J_EMU_DRIVER", "none");
            CudaDevice.Availability none = CudaDevice.probe(lib);
            assertEquals("no CUDA device (or no NVIDIA driver) on this machine", none.reason());
        } finally {
            setenv("LCA4J_EMU_DRIVER", "");
        }
        assertTrue(CudaDevice.probe().available(), "the emulated device is back");
    }

    /** C's setenv, so the emulation (same process) sees the change; Java has no way to set one. */
    private static void setenv(String name, String value) throws Throwable {
        var linker = java.lang.foreign.Linker.nativeLinker();
        var setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(), java.lang.foreign.FunctionDescriptor.of(
                java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.ADDRESS,
                java.lang.foreign.ValueLayout.JAVA_INT));
        try (var a = java.lang.foreign.Arena.ofConfined()) {
            assertEquals(0, (int) setenv.invokeExact(a.allocateFrom(name), a.allocateFrom(value), 1));
        }
    }

    @Test
    @Tag("no-device") // skips where a GPU is; gpu_check.sh leaves it out
    void withoutADeviceAutoFallsBackAndCudaRefuses() {
        CudaDevice.Availability a = CudaDevice.probe();
        assumeFalse(a.available(), "a CUDA device is present; the fallback is not exercised here");
        assertTrue(a.reason() != null && !a.reason().isBlank() && a.reason().lines().count() == 1, a.reason());
        Lca.Backend auto = Lca.backend("auto");
        assertEquals("cpu", auto.name());
        assertTrue(auto.description().contains(a.reason()), auto.description());
        ParamLayout layout = ParamLayout.builder().add("w", 3, 2).build();
        try (var acc = auto.create(layout)) {
            assertTrue(acc instanceof CpuLcaAccumulator);
        }
        // One line that says why and what to do instead.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lca.backend("cuda"));
        assertTrue(e.getMessage().contains(a.reason()) && e.getMessage().contains("use --device cpu") && e.getMessage().lines().count() == 1, e.getMessage());
        IllegalStateException direct = assertThrows(IllegalStateException.class, () -> Lca.cuda(layout));
        assertTrue(direct.getMessage().contains(a.reason()) && direct.getMessage().contains("use Lca.cpu"), direct.getMessage());
    }

    /**
     * The CUDA backend holds a layer of more than 2^31 parameters (an 80 GB GPU fits 2.2·10^9), but
     * cumulative(layer) answered with Math.toIntExact's bare "integer overflow". It now names the layer
     * and where the sums are. (Checked without a device: no emulated or small device holds such a layer.)
     */
    @Test
    void aLayerTooLargeForAJavaArrayIsNamedWhenItsCumulativeSumsAreRead() {
        ParamLayout huge = ParamLayout.builder().add("small", 3).add("huge", 50_000, 50_000).build();
        CudaLcaAccumulator.requireFitsArray(huge.layer(0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CudaLcaAccumulator.requireFitsArray(huge.layer(1)));
        assertTrue(e.getMessage().startsWith("layer huge has 2500000000 parameters") && e.getMessage().contains("3 doubles past cumulativeDeviceAddress()"),
                e.getMessage());
    }

    @Test
    void unknownDeviceIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lca.backend("tpu"));
        assertTrue(e.getMessage().contains("'tpu'"), e.getMessage());
    }
}
