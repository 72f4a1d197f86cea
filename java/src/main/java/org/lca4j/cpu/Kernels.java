package org.lca4j.cpu;

/**
 * The one switch between the Vector API fast path and the scalar fallback: the vector kernel when
 * the {@code jdk.incubator.vector} module is in the boot layer (the {@code lca} launcher and the
 * tests add it with {@code --add-modules jdk.incubator.vector}) and {@code -Dlca4j.vector=false} is
 * not set; the scalar one otherwise. Results are bit-identical for a given choice on every machine.
 */
final class Kernels {
    static final String PROPERTY = "lca4j.vector";
    private static final ChunkKernel BEST = choose();

    private Kernels() {
    }

    static ChunkKernel best() {
        return BEST;
    }

    private static ChunkKernel choose() {
        boolean wanted = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        // Referenced only here and only when present, so a JVM without the module never loads the class.
        return wanted && present ? new VectorKernel() : new ScalarKernel();
    }
}
