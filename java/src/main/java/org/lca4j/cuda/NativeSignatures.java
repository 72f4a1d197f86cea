package org.lca4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every function of cuda/include/lca4j.h as FFM sees it, in one table. FFM cannot read a C header,
 * so these descriptors are written by hand; NativeBindingsTest parses the header and fails when a
 * prototype and its entry here disagree (pointer → ADDRESS, int → JAVA_INT, int64_t/size_t →
 * JAVA_LONG, float, double), which catches a changed signature on a machine without a GPU.
 */
final class NativeSignatures {
    private static final Map<String, FunctionDescriptor> TABLE = new LinkedHashMap<>();

    static {
        // runtime
        fn("lca4j_abi_version");
        TABLE.put("lca4j_status_string", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        TABLE.put("lca4j_last_call", FunctionDescriptor.of(ADDRESS));
        fn("lca4j_struct_layout", ADDRESS, ADDRESS);
        fn("lca4j_device_count", ADDRESS);
        fn("lca4j_set_device", JAVA_INT);
        fn("lca4j_device_info", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        fn("lca4j_mem_info", ADDRESS, ADDRESS);
        fn("lca4j_malloc", ADDRESS, JAVA_LONG);
        fn("lca4j_free", ADDRESS);
        fn("lca4j_memcpy_h2d", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        fn("lca4j_memcpy_d2h", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        fn("lca4j_memcpy_d2d", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        fn("lca4j_memset", ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS);
        fn("lca4j_stream_synchronize", ADDRESS);
        // fused multi-layer LCA
        fn("lca4j_layer_lca_workspace", ADDRESS, JAVA_INT, ADDRESS);
        fn("lca4j_layer_lca", ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        // optimizer
        fn("lca4j_optimizer_workspace", ADDRESS, JAVA_INT, ADDRESS);
        fn("lca4j_optimizer_step_lca", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT,
                ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        fn("lca4j_optimizer_step", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        // vector helpers
        fn("lca4j_add_f32_to_f64", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        fn("lca4j_add_f64", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        fn("lca4j_point_on_step", ADDRESS, ADDRESS, ADDRESS, JAVA_DOUBLE, JAVA_LONG, ADDRESS);
        // the MLP pieces
        fn("lca4j_gather_rows", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
        fn("lca4j_fill_rows", ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
        fn("lca4j_relu", ADDRESS, JAVA_LONG, ADDRESS);
        fn("lca4j_relu_backward", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        fn("lca4j_softmax_xent", ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        fn("lca4j_bias_grad", ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        fn("lca4j_sum_rows", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    }

    private NativeSignatures() {
    }

    /** An int-returning (status) function. */
    private static void fn(String name, MemoryLayout... args) {
        TABLE.put(name, FunctionDescriptor.of(JAVA_INT, args));
    }

    static FunctionDescriptor of(String name) {
        FunctionDescriptor fd = TABLE.get(name);
        if (fd == null) throw new IllegalArgumentException("no signature for " + name + " in NativeSignatures (add it with the header)");
        return fd;
    }

    /** The functions' names, in the header's order. */
    static java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(TABLE.keySet());
    }

    static Map<String, FunctionDescriptor> all() {
        return Map.copyOf(TABLE);
    }
}
