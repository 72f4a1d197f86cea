package org.lca4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The Java/C boundary, checked where there is no GPU: FFM trusts the descriptors and struct layouts
 * written in Java, so a drift from cuda/include/lca4j.h would only show as garbage or a crash on a
 * device. Here the header's prototypes are parsed and compared with {@link NativeSignatures}; the
 * built library's own sizeof/offsetof are compared with the Java layouts; and every typed entry
 * point is called with an argument the C side rejects before touching CUDA, which proves the symbol,
 * the descriptor and the Java argument types line up (invokeExact throws on any mismatch).
 */
class NativeBindingsTest {
    private static final int BAD_ARGUMENT = 10001;
    private static final Pattern PROTOTYPE = Pattern.compile("LCA4J_API\\s+([^;(]+?)\\s*\\b(lca4j_\\w+)\\s*\\(([^)]*)\\)\\s*;");

    @Test
    void everyHeaderPrototypeHasTheSameDescriptorInJava() throws IOException {
        Map<String, FunctionDescriptor> header = parseHeader(header());
        assertTrue(header.size() >= 30, "parsed only " + header.size() + " prototypes from lca4j.h");
        Map<String, FunctionDescriptor> java = NativeSignatures.all();
        assertEquals(new java.util.TreeSet<>(header.keySet()), new java.util.TreeSet<>(java.keySet()), "functions in lca4j.h vs NativeSignatures");
        header.forEach((name, fd) -> assertEquals(fd, java.get(name), name + ": lca4j.h says " + fd + ", NativeSignatures " + java.get(name)));
    }

    @Test
    void theParserSeesADriftedSignature() {
        // The check above is only as good as its parser: a changed parameter type must come out different.
        String drifted = "LCA4J_API int lca4j_relu(float *d_v, int n, void *stream);";
        assertTrue(!parseHeader(drifted).get("lca4j_relu").equals(NativeSignatures.of("lca4j_relu")));
        String same = "LCA4J_API int lca4j_relu(float *d_v, int64_t n,\n    void *stream); /* comment */";
        assertEquals(NativeSignatures.of("lca4j_relu"), parseHeader(same).get("lca4j_relu"));
    }

    @Test
    void structLayoutsMatchTheCompilersSizesAndOffsets() {
        Lca4jNative api = library();
        check(api, "lca4j_layer", Lca4jNative.LAYER);
        check(api, "lca4j_combine", Lca4jNative.COMBINE);
        check(api, "lca4j_optimizer", FusedOptimizer.OPTIMIZER);
        check(api, "lca4j_debias", FusedOptimizer.DEBIAS);
        CudaException e = assertThrows(CudaException.class, () -> api.structLayout("lca4j_nothing"));
        assertEquals(BAD_ARGUMENT, e.status());
    }

    @Test
    void everyKernelEntryPointReachesItsFunction() {
        Lca4jNative api = library();
        DeviceKernels k = new DeviceKernels(api);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sizes = a.allocate(JAVA_LONG, 1), bytes = a.allocate(JAVA_LONG);
            MemorySegment opt = a.allocate(FusedOptimizer.OPTIMIZER);
            opt.set(JAVA_INT, 0, 99); // no such optimizer kind
            rejected("gather_rows", () -> k.gatherRows(0, 0, 0, 0, 0, -1, 4));
            rejected("fill_rows", () -> k.fillRows(0, 0, -1, 4));
            rejected("relu", () -> k.relu(0, -1));
            rejected("relu_backward", () -> k.reluBackward(0, 0, -1));
            rejected("softmax_xent", () -> k.softmaxXent(0, 0, -1, 10, 1f, 0, 0, 0));
            rejected("bias_grad", () -> k.biasGrad(0, -1, 4, 0, true));
            rejected("sum_rows", () -> k.sumRows(0, 0, -1, 0, 0));
            rejected("optimizer_workspace", () -> k.optimizerWorkspace(sizes, 0, bytes));
            rejected("optimizer_step_lca", () -> k.optimizerStepLca(opt, sizes, 1, 1, 1, 1, 0, 0, 0, MemorySegment.NULL, false, 0, 0, 1, 1, 1));
            rejected("optimizer_step", () -> k.optimizerStep(opt, 0, 0, 0, 0, -1));
            rejected("layer_lca_workspace", () -> api.layerLcaWorkspace(sizes, 0));
            rejected("layer_lca", () -> api.layerLca(MemorySegment.NULL, 0, MemorySegment.NULL, 0, 0, 0, 0, 0));
        }
    }

    /**
     * A refusal by lca4j itself (no CUDA call made) used to end with "in" the CUDA call that had
     * failed last on the thread, however long before: a bad argument after a handled out-of-memory
     * read "(status 10001, in cudaMalloc(d_ptr, bytes))". Only CUDA failures name a call now.
     */
    @Test
    void lca4jsOwnRefusalNamesNoEarlierCudaCall() {
        Lca4jNative api = library();
        CudaException cuda = assertThrows(CudaException.class, () -> api.deviceInfo(99)); // no device 99, here or anywhere
        assertTrue(cuda.getMessage().contains("in cudaGetDeviceProperties"), cuda.getMessage());
        try (Arena a = Arena.ofConfined()) {
            CudaException own = assertThrows(CudaException.class, () -> api.layerLcaWorkspace(a.allocate(JAVA_LONG, 1), 0));
            assertEquals(BAD_ARGUMENT, own.status());
            assertTrue(!own.getMessage().contains("cudaGetDeviceProperties") && own.getMessage().contains("lca4j_layer_lca_workspace"), own.getMessage());
        }
    }

    private static void rejected(String what, Executable call) {
        CudaException e = assertThrows(CudaException.class, call, what);
        assertEquals(BAD_ARGUMENT, e.status(), what + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("lca4j_" + what), e.getMessage());
    }

    private static void check(Lca4jNative api, String struct, StructLayout layout) {
        assertEquals(api.structLayout(struct), layout.byteSize(), "sizeof(" + struct + ")");
        for (MemoryLayout m : layout.memberLayouts()) {
            if (m.name().isEmpty()) continue; // padding
            String field = m.name().get();
            assertEquals(api.structLayout(struct + "." + field), layout.byteOffset(MemoryLayout.PathElement.groupElement(field)),
                    "offsetof(" + struct + ", " + field + ")");
        }
    }

    /** The library packed in this build, bound without a device (binding needs none); skipped if built without nvcc. */
    private static Lca4jNative library() {
        NativeLibrary.Loaded lib = NativeLibrary.get();
        assumeTrue(lib.lookup() != null, "no liblca4j in this build: " + lib.reason());
        return new Lca4jNative(lib.lookup());
    }

    private static String header() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path h = dir.resolve("cuda/include/lca4j.h");
            if (Files.isRegularFile(h)) return Files.readString(h);
        }
        throw new IOException("cuda/include/lca4j.h not found above " + Path.of("").toAbsolutePath());
    }

    static Map<String, FunctionDescriptor> parseHeader(String text) {
        String code = text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ").replaceAll("(?m)^\\s*#.*$", " ");
        Map<String, FunctionDescriptor> out = new LinkedHashMap<>();
        Matcher m = PROTOTYPE.matcher(code);
        while (m.find()) {
            List<MemoryLayout> args = new ArrayList<>();
            String params = m.group(3).trim();
            if (!params.equals("void")) {
                for (String p : params.split(",")) args.add(layoutOf(p.trim(), m.group(2)));
            }
            MemoryLayout ret = layoutOf(m.group(1).trim(), m.group(2));
            out.put(m.group(2), FunctionDescriptor.of(ret, args.toArray(MemoryLayout[]::new)));
        }
        return out;
    }

    /** The FFM layout of a C parameter or return type: any pointer is an address. */
    private static MemoryLayout layoutOf(String decl, String function) {
        if (decl.contains("*")) return ADDRESS;
        String type = decl.replace("const ", "").trim().split("\\s+")[0];
        return switch (type) {
            case "int" -> JAVA_INT;
            case "int64_t", "size_t" -> JAVA_LONG;
            case "float" -> JAVA_FLOAT;
            case "double" -> JAVA_DOUBLE;
            default -> throw new IllegalArgumentException(function + ": C type '" + decl + "' has no mapping here; add it");
        };
    }
}
