package org.lca4j.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** run.json's environment names what decides the products' bits. */
class GemmTest {
    @Test
    void theBlasLineNamesOpenBlassBuildAndThreadsWhenItIsOpenBlas() {
        String line = Gemm.implementation();
        String openBlas = Gemm.openBlas();
        if (line.startsWith("netlib")) return; // the pure-Java fallback: the class name says it all
        assertTrue(line.startsWith("native BLAS ("), line);
        if (openBlas == null) return; // a native BLAS other than OpenBLAS
        assertTrue(openBlas.matches("OpenBLAS \\S+ .*, [1-9][0-9]* threads?"), openBlas);
        assertTrue(line.contains(openBlas), line);
    }
}
