package org.lca4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import org.lca4j.Lca;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.NonFiniteInputException;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;
import org.junit.jupiter.api.Test;

class CpuLcaAccumulatorTest {
    private static final ParamLayout LAYOUT = ParamLayout.builder().add("fc1.weight", 3, 5).add("fc1.bias", 3).add("fc2.weight", 2, 3).add("fc2.bias", 2).build();

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    @Test
    void perLayerSumsCountsAndCumulativeMatchANaiveLoop() {
        Random r = new Random(1);
        int d = (int) LAYOUT.size();
        double[] cum = new double[d];
        try (LcaAccumulator acc = Lca.cpu(LAYOUT)) {
            for (int step = 0; step < 4; step++) {
                float[] g = random(r, d), a = random(r, d), b = random(r, d);
                g[0] = 0f; // a zero product is neither helped nor hurt
                StepLca s = acc.step(g, a, b);
                for (int l = 0; l < LAYOUT.layerCount(); l++) {
                    var layer = LAYOUT.layer(l);
                    double sum = 0;
                    long neg = 0, pos = 0;
                    for (long k = 0; k < layer.size(); k++) {
                        int i = (int) (layer.offset() + k);
                        double p = (double) g[i] * ((double) b[i] - a[i]);
                        sum += p;
                        if (p < 0) neg++;
                        if (p > 0) pos++;
                        cum[i] += p;
                    }
                    assertEquals(sum, s.lca(l), 1e-12);
                    assertEquals(neg, s.helpedCount(l));
                    assertEquals(pos, s.hurtCount(l));
                    assertEquals(neg / (double) layer.size(), s.helpedFraction(l));
                }
            }
            for (int l = 0; l < LAYOUT.layerCount(); l++) {
                var layer = LAYOUT.layer(l);
                double[] c = acc.cumulative(l);
                for (int k = 0; k < c.length; k++) assertEquals(cum[(int) layer.offset() + k], c[k], 1e-12);
            }
            assertEquals(4, acc.steps());
        }
    }

    @Test
    void everyInputFormGivesTheSameBits() {
        Random r = new Random(2);
        int d = (int) LAYOUT.size();
        float[] g = random(r, d), a = random(r, d), b = random(r, d);
        float[] delta = new float[d];
        for (int i = 0; i < d; i++) delta[i] = b[i] - a[i];
        StepLca arrays = Lca.cpu(LAYOUT).step(g, a, b);

        FloatBuffer fg = direct(g), fa = direct(a), fb = direct(b);
        StepLca buffers = Lca.cpu(LAYOUT).step(fg, fa, fb);

        StepLca segments;
        try (Arena arena = Arena.ofConfined()) {
            segments = Lca.cpu(LAYOUT).step(offHeap(arena, g), offHeap(arena, a), offHeap(arena, b));
        }
        StepLca perLayer = Lca.cpu(LAYOUT).step(split(g), split(a), split(b));
        assertArrayEquals(arrays.lca(), buffers.lca());
        assertArrayEquals(arrays.lca(), segments.lca());
        assertArrayEquals(arrays.lca(), perLayer.lca());

        // With Δθ given directly the rounding of b − a happens in float32, so compare closely rather than bitwise.
        StepLca deltas = Lca.cpu(LAYOUT).stepDelta(g, delta);
        for (int l = 0; l < LAYOUT.layerCount(); l++) assertEquals(arrays.lca(l), deltas.lca(l), 1e-5);
    }

    @Test
    void shapeMismatchesNameTheInputAndTheLayer() {
        LcaAccumulator acc = Lca.cpu(LAYOUT);
        int d = (int) LAYOUT.size();
        var e = assertThrows(IllegalArgumentException.class, () -> acc.step(new float[d - 1], new float[d], new float[d]));
        assertTrue(e.getMessage().contains("gradient") && e.getMessage().contains(String.valueOf(d)), e.getMessage());
        float[][] bad = split(new float[d]);
        bad[2] = new float[5];
        var e2 = assertThrows(IllegalArgumentException.class, () -> acc.step(bad, split(new float[d]), split(new float[d])));
        assertTrue(e2.getMessage().contains("fc2.weight") && e2.getMessage().contains("[2, 3]") && e2.getMessage().contains("5"), e2.getMessage());
        FloatBuffer bigEndian = ByteBuffer.allocateDirect(d * 4).order(ByteOrder.BIG_ENDIAN).asFloatBuffer();
        var e3 = assertThrows(IllegalArgumentException.class, () -> acc.step(bigEndian, direct(new float[d]), direct(new float[d])));
        assertTrue(e3.getMessage().contains("BIG_ENDIAN"), e3.getMessage());
        FloatBuffer heapView = ByteBuffer.allocate(d * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        var e4 = assertThrows(IllegalArgumentException.class, () -> acc.step(heapView, direct(new float[d]), direct(new float[d])));
        assertTrue(e4.getMessage().contains("heap ByteBuffer") && e4.getMessage().contains("allocateDirect"), e4.getMessage());
    }

    @Test
    void nonFiniteInputNamesStepAndParameterAndStopsTheAccumulator() {
        LcaAccumulator acc = Lca.cpu(LAYOUT);
        int d = (int) LAYOUT.size();
        float[] ok = new float[d];
        acc.step(ok, ok, ok);
        float[] g = new float[d];
        g[(int) LAYOUT.layer(2).offset() + 4] = Float.NaN; // fc2.weight[1,1]
        float[] b = ones(d);
        var e = assertThrows(NonFiniteInputException.class, () -> acc.step(g, ok, b));
        assertTrue(e.getMessage().contains("step 1") && e.getMessage().contains("fc2.weight[1,1]") && e.getMessage().contains("gradient = NaN"), e.getMessage());
        var after = assertThrows(IllegalStateException.class, () -> acc.step(ok, ok, ok));
        assertTrue(after.getMessage().contains("fc2.weight[1,1]"), after.getMessage());
        assertEquals(1, acc.steps());
        assertArrayEquals(new double[LAYOUT.layerCount()], acc.layerTotals(), "totals stay at the last accepted step");
        var partly = assertThrows(IllegalStateException.class, () -> acc.cumulative(0));
        assertTrue(partly.getMessage().contains("refused step") && partly.getMessage().contains("fc2.weight[1,1]"), partly.getMessage());
    }

    @Test
    void aRefusedStepsPartialSumsAreNeverHandedOut() {
        // The refused step's finite layers are added in the pass that finds the NaN; without the guard
        // cumulative(0) would return them although layerTotals() and steps() do not count the step.
        LcaAccumulator acc = Lca.cpu(LAYOUT);
        int d = (int) LAYOUT.size();
        float[] zero = new float[d], ones = ones(d);
        acc.step(ones, zero, ones);
        double[] kept = acc.cumulative(0);
        float[] g = ones.clone();
        g[d - 1] = Float.POSITIVE_INFINITY; // the last layer, after fc1's sums were updated
        assertThrows(NonFiniteInputException.class, () -> acc.step(g, zero, ones));
        assertArrayEquals(new double[] {15, 3, 6, 2}, acc.layerTotals());
        assertThrows(IllegalStateException.class, () -> acc.cumulative(0));
        assertEquals(1.0, kept[0]);
    }

    @Test
    void misalignedOrByteArraySegmentsAreRefusedBeforeAnyWork() {
        LcaAccumulator acc = Lca.cpu(ParamLayout.builder().add("w", 9).build());
        float[] ones = ones(9);
        MemorySegment bytes = MemorySegment.ofArray(new byte[36]);
        for (int i = 0; i < 9; i++) bytes.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i, 1f);
        var e = assertThrows(IllegalArgumentException.class, () -> acc.stepDelta(bytes, MemorySegment.ofArray(ones)));
        assertTrue(e.getMessage().startsWith("gradient is not 4-byte-aligned") && e.getMessage().contains("byte[]"), e.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment odd = arena.allocate(40, 8).asSlice(1, 36);
            var e2 = assertThrows(IllegalArgumentException.class, () -> acc.stepDelta(MemorySegment.ofArray(ones), odd));
            assertTrue(e2.getMessage().startsWith("Δθ is not 4-byte-aligned"), e2.getMessage());
        }
        assertEquals(0, acc.steps());
        assertArrayEquals(new double[9], acc.cumulative(0), "nothing was added");
        var odd = assertThrows(IllegalArgumentException.class, () -> acc.stepDelta(MemorySegment.ofArray(new byte[35]), MemorySegment.ofArray(ones)));
        assertTrue(odd.getMessage().contains("35 bytes (not whole floats)") && odd.getMessage().contains("9 parameters (36 bytes)"), odd.getMessage());
    }

    /**
     * Memory of a closed arena, or of another thread's confined arena, is refused naming the input:
     * FFM's own "Already closed" and "Attempted access outside owning thread" said neither which input
     * nor what to do. Nothing is added.
     */
    @Test
    void freedOrOtherThreadsMemoryIsRefusedNamingTheInput() throws Exception {
        LcaAccumulator acc = Lca.cpu(ParamLayout.builder().add("w", 9).build());
        MemorySegment ones = MemorySegment.ofArray(ones(9));
        Arena closed = Arena.ofConfined();
        MemorySegment freed = closed.allocate(36, 4);
        closed.close();
        var e = assertThrows(IllegalArgumentException.class, () -> acc.step(ones, ones, freed));
        assertTrue(e.getMessage().startsWith("θ_{t+1} is memory that was already freed"), e.getMessage());
        MemorySegment[] theirs = new MemorySegment[1];
        Thread other = new Thread(() -> theirs[0] = Arena.ofConfined().allocate(36, 4));
        other.start();
        other.join();
        var e2 = assertThrows(IllegalArgumentException.class, () -> acc.stepDelta(ones, theirs[0]));
        assertTrue(e2.getMessage().startsWith("Δθ is memory of another thread's confined arena"), e2.getMessage());
        assertEquals(0, acc.steps());
        assertArrayEquals(new double[9], acc.cumulative(0), "nothing was added");
    }

    @Test
    void closedMeansClosedOnEveryBackendAndStepLcaCannotBeChangedFromOutside() {
        LcaAccumulator acc = Lca.cpu(LAYOUT);
        int d = (int) LAYOUT.size();
        float[] ones = ones(d);
        StepLca s = acc.stepDelta(ones, ones);
        s.lca()[0] = 123;
        s.helped()[0] = 99;
        assertEquals(15.0, s.lca(0));
        assertEquals(0, s.helped()[0]);
        assertTrue(s.toString().contains("lca=[15.0, 3.0, 6.0, 2.0]"), s.toString());
        acc.close();
        acc.close();
        var e = assertThrows(IllegalStateException.class, () -> acc.cumulative(0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(1, acc.steps());
    }

    /**
     * close() releases the per-parameter sums (LcaAccumulator, README "The library") even while the
     * caller still holds the accumulator: the array is no longer reachable from it. It used to stay
     * referenced until the accumulator itself was dropped.
     */
    @Test
    void closeReleasesTheCumulativeSumsWhileTheAccumulatorIsStillHeld() throws Exception {
        CpuLcaAccumulator acc = new CpuLcaAccumulator(LAYOUT);
        int d = (int) LAYOUT.size();
        acc.stepDelta(ones(d), ones(d));
        java.lang.reflect.Field f = CpuLcaAccumulator.class.getDeclaredField("cumulative");
        f.setAccessible(true);
        var sums = new java.lang.ref.WeakReference<>(f.get(acc));
        assertTrue(sums.get() != null);
        acc.close();
        for (int i = 0; i < 50 && sums.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(sums.get() == null, "the closed accumulator still holds its per-parameter sums");
        assertEquals(1, acc.steps());
        assertEquals(4, acc.layerTotals().length);
        java.lang.ref.Reference.reachabilityFence(acc);
    }

    @Test
    void layoutsThatOverflowAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> ParamLayout.builder().add("huge", Integer.MAX_VALUE, Integer.MAX_VALUE, 4));
        assertTrue(e.getMessage().contains("huge"), e.getMessage());
        var b = ParamLayout.builder();
        for (int i = 0; i < 2; i++) b.add("big" + i, Integer.MAX_VALUE, Integer.MAX_VALUE);
        var e2 = assertThrows(IllegalArgumentException.class, () -> b.add("big2", Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertTrue(e2.getMessage().contains("big2"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParamLayout.builder().add("x", (int[]) null));
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }

    private static FloatBuffer direct(float[] v) {
        FloatBuffer f = ByteBuffer.allocateDirect(v.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        f.put(v).flip();
        return f;
    }

    private static MemorySegment offHeap(Arena arena, float[] v) {
        return arena.allocateFrom(ValueLayout.JAVA_FLOAT, v);
    }

    private static float[][] split(float[] flat) {
        float[][] out = new float[LAYOUT.layerCount()][];
        for (int l = 0; l < out.length; l++) {
            var layer = LAYOUT.layer(l);
            out[l] = java.util.Arrays.copyOfRange(flat, (int) layer.offset(), (int) (layer.offset() + layer.size()));
        }
        return out;
    }

    @Test
    void zeroProductsAreNeitherHelpedNorHurtWhenDeltaIsGivenDirectly() {
        // 11 parameters: 8 through the vector loop and 3 through its scalar tail. Products by hand:
        //   g     =  1, -1,  0,  2,  3, -2,  0.5,  1,   -1,  0,  4
        //   Δθ    = -1, -1,  5,  0,  1,  1,  2,   -0.5,  2,  0,  0
        //   A     = -1,  1,  0,  0,  3, -2,  1,   -0.5, -2,  0,  0   → Σ = -0.5, 4 helped, 3 hurt, 4 zero
        ParamLayout one = ParamLayout.builder().add("w", 11).build();
        float[] g = {1, -1, 0, 2, 3, -2, 0.5f, 1, -1, 0, 4};
        float[] delta = {-1, -1, 5, 0, 1, 1, 2, -0.5f, 2, 0, 0};
        for (ChunkKernel kernel : new ChunkKernel[] {new ScalarKernel(), Kernels.best()}) {
            try (CpuLcaAccumulator acc = new CpuLcaAccumulator(one, kernel)) {
                StepLca s = acc.stepDelta(g, delta);
                assertEquals(-0.5, s.lca(0), 0, kernel.name());
                assertEquals(4, s.helpedCount(0), kernel.name());
                assertEquals(3, s.hurtCount(0), kernel.name());
                assertArrayEquals(new double[] {-1, 1, 0, 0, 3, -2, 1, -0.5, -2, 0, 0}, acc.cumulative(0), kernel.name());
            }
        }
    }
}
