package org.lca4j.bench;

import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.lca4j.core.StepLca;
import org.lca4j.cpu.CpuLcaAccumulator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-step LCA work (per-layer Σ g·Δθ, helped/hurt counts, cumulative per-parameter update) three
 * ways, beside a copy that measures the memory bandwidth the same machine gives the same sizes.
 * Each way has its own state, so a fork allocates only what its benchmark uses. BenchTable turns the
 * JSON result into parameters/s, GB/s and ratios.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx12g", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Dorg.bytedeco.javacpp.maxbytes=12G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=20G"})
public class LcaStepBenchmark {

    @State(Scope.Benchmark)
    public static class Size {
        @Param({"100000", "1000000", "10000000", "100000000"})
        public long params;
        @Param({"4", "200"})
        public int layers;
    }

    @State(Scope.Benchmark)
    public static class Lca4j {
        CpuLcaAccumulator acc;
        Model m;

        @Setup(Level.Trial)
        public void setup(Size s) {
            m = Model.of(s.params, s.layers, 1);
            acc = new CpuLcaAccumulator(m.layout());
        }

        @TearDown(Level.Trial)
        public void close() {
            acc.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Nd4j {
        Nd4jLcaPath path;
        double[] sums;
        long[] helped, hurt;

        @Setup(Level.Trial)
        public void setup(Size s) {
            Model m = Model.of(s.params, s.layers, 1);
            path = new Nd4jLcaPath(m);
            sums = new double[s.layers];
            helped = new long[s.layers];
            hurt = new long[s.layers];
        }

        @TearDown(Level.Trial)
        public void close() {
            path.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Plain {
        PlainLoop loop;
        double[] sums;
        long[] helped, hurt;

        @Setup(Level.Trial)
        public void setup(Size s) {
            loop = new PlainLoop(Model.of(s.params, s.layers, 1));
            sums = new double[s.layers];
            helped = new long[s.layers];
            hurt = new long[s.layers];
        }
    }

    /** Source and destination of as many bytes as one LCA step moves in total, read once and written once. */
    @State(Scope.Benchmark)
    public static class Copy {
        double[] src, dst;
        static final int CHUNK = 1 << 16;

        @Setup(Level.Trial)
        public void setup(Size s) {
            int n = Math.toIntExact(Model.lcaBytes(s.params) / 2 / Double.BYTES);
            src = new double[n];
            dst = new double[n];
            java.util.Arrays.fill(src, 1.0);
        }
    }

    @Benchmark
    public StepLca lca4j(Lca4j s) {
        return s.acc.step(s.m.gradient(), s.m.before(), s.m.after());
    }

    @Benchmark
    public void nd4j(Nd4j s, Blackhole bh) {
        s.path.step(s.sums, s.helped, s.hurt);
        bh.consume(s.sums);
        bh.consume(s.helped);
    }

    @Benchmark
    public void plainLoop(Plain s, Blackhole bh) {
        s.loop.step(s.sums, s.helped, s.hurt);
        bh.consume(s.sums);
        bh.consume(s.helped);
    }

    /** On all cores, as lca4j runs large models, so the ceiling is the machine's and not one core's. */
    @Benchmark
    public double[] copy(Copy s) {
        int chunks = (s.src.length + Copy.CHUNK - 1) / Copy.CHUNK;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = c * Copy.CHUNK;
            System.arraycopy(s.src, from, s.dst, from, Math.min(Copy.CHUNK, s.src.length - from));
        });
        return s.dst;
    }
}
