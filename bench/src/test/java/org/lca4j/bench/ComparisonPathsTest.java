package org.lca4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.core.StepLca;
import org.lca4j.cpu.CpuLcaAccumulator;

/** The benchmark compares like with like: the ND4J path and the plain loop compute what lca4j computes. */
class ComparisonPathsTest {

    @Test
    void nd4jAndThePlainLoopAgreeWithLca4j() {
        Model m = Model.of(100_003, 7, 3);
        int layers = m.layout().layerCount();
        double[] nd = new double[layers], pl = new double[layers];
        long[] ndHelped = new long[layers], ndHurt = new long[layers], plHelped = new long[layers], plHurt = new long[layers];
        StepLca ref;
        try (CpuLcaAccumulator acc = new CpuLcaAccumulator(m.layout()); Nd4jLcaPath path = new Nd4jLcaPath(m)) {
            ref = acc.step(m.gradient(), m.before(), m.after());
            path.step(nd, ndHelped, ndHurt);
            path.step(nd, ndHelped, ndHurt); // a second step: the cumulative sums double
            float[] cum = path.cumulative();
            double[] c0 = acc.cumulative(0);
            for (int i = 0; i < c0.length; i++) assertEquals(2 * c0[i], cum[i], 1e-6 * Math.abs(c0[i]) + 1e-12, "cumulative " + i);
        }
        new PlainLoop(m).step(pl, plHelped, plHurt);
        for (int l = 0; l < layers; l++) {
            double scale = Math.abs(ref.lca(l)) + 1e-9;
            // ND4J's A is float32: agreement to float precision over the layer.
            assertEquals(ref.lca(l), nd[l], 1e-4 * scale, "ND4J layer " + l);
            assertEquals(ref.helpedCount(l), ndHelped[l], "ND4J helped, layer " + l);
            assertEquals(ref.hurtCount(l), ndHurt[l], "ND4J hurt, layer " + l);
            assertEquals(ref.lca(l), pl[l], 1e-12 * scale, "plain loop layer " + l);
            assertEquals(ref.helpedCount(l), plHelped[l]);
        }
    }

    @Test
    void benchTableReadsJmhJsonAndComputesRatios(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("jmh.json");
        String one = """
                {"benchmark":"org.lca4j.bench.LcaStepBenchmark.%s","params":{"params":"1000000","layers":"4"},
                 "primaryMetric":{"score":%s,"scoreUnit":"ms/op"}}""";
        Files.writeString(json, "[" + String.join(",", one.formatted("lca4j", "0.5"), one.formatted("nd4j", "2.0"),
                one.formatted("plainLoop", "1.0"), one.formatted("copy", "0.4")) + "]");
        List<BenchTable.Row> rows = BenchTable.read(json);
        assertEquals(1, rows.size());
        BenchTable.Row r = rows.getFirst();
        assertEquals(28e6 / 0.5e-3 / 1e9, r.gbPerS(r.lca4j()), 1e-9);
        String md = BenchTable.markdown(rows);
        assertTrue(md.contains("| 4.0× | 80% |"), md);
        Files.writeString(json, "{not json");
        IOException e = assertThrows(IOException.class, () -> BenchTable.read(json));
        assertTrue(e.getMessage().contains("jmh.json"), e.getMessage());
    }
}
