package org.lca4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An accumulator is not thread-safe; a second thread that steps, reads or closes it while a step is
 * running is refused by name instead of tearing the sums (or, on the GPU, freeing memory under a kernel).
 */
class ConcurrentStepTest {
    private static final ParamLayout LAYOUT = ParamLayout.builder().add("w", 2).add("b", 1).build();

    /** Adds Σ g·Δθ per layer, and can hold a step open until the test lets it go. */
    private static final class Held extends AbstractLcaAccumulator {
        final CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
        volatile boolean hold, holdRead, readInside;
        volatile double[] readDuringStep;
        private final double[] cumulative = new double[(int) LAYOUT.size()];

        Held() {
            super(LAYOUT);
        }

        @Override
        protected StepLca accumulate(long step, MemorySegment[] g, MemorySegment[] before, MemorySegment[] second) {
            if (readInside) readDuringStep = cumulative(0); // a backend reading its own sums inside its step
            if (hold) await();
            double[] sums = new double[LAYOUT.layerCount()];
            for (int l = 0; l < sums.length; l++) {
                Layer layer = LAYOUT.layer(l);
                for (int i = 0; i < layer.size(); i++) {
                    float d = second[l].getAtIndex(JAVA_FLOAT, i) - before[l].getAtIndex(JAVA_FLOAT, i);
                    double a = (double) g[l].getAtIndex(JAVA_FLOAT, i) * d;
                    sums[l] += a;
                    cumulative[(int) layer.offset() + i] += a;
                }
            }
            return new StepLca(step, LAYOUT, sums, new long[sums.length], new long[sums.length]);
        }

        private void await() {
            inside.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected double[] readCumulative(Layer layer) {
            if (holdRead) await();
            return Arrays.copyOfRange(cumulative, (int) layer.offset(), (int) (layer.offset() + layer.size()));
        }
    }

    private static final float[] G = {1, 2, 3}, BEFORE = {0, 0, 0}, AFTER = {1, 1, 1};

    @Test
    void aSecondThreadIsRefusedWhileAStepRunsAndTheFirstStepStillCounts() throws Exception {
        Held acc = new Held();
        acc.hold = true;
        CompletableFuture<StepLca> first = CompletableFuture.supplyAsync(() -> acc.step(G, BEFORE, AFTER));
        assertTrue(acc.inside.await(10, TimeUnit.SECONDS), "the first step never started");
        acc.hold = false;

        IllegalStateException step = assertThrows(IllegalStateException.class, () -> acc.step(G, BEFORE, AFTER));
        assertTrue(step.getMessage().contains("in use by thread") && step.getMessage().contains("(stepping)")
                && step.getMessage().contains("one thread at a time"), step.getMessage());
        IllegalStateException read = assertThrows(IllegalStateException.class, () -> acc.cumulative(0));
        assertTrue(read.getMessage().startsWith("cannot read cumulative LCA while thread"), read.getMessage());
        IllegalStateException close = assertThrows(IllegalStateException.class, acc::close);
        assertTrue(close.getMessage().startsWith("cannot close it while thread"), close.getMessage());

        acc.release.countDown();
        assertArrayEquals(new double[] {3, 3}, first.get(10, TimeUnit.SECONDS).lca(), 0);
        // The refused calls changed nothing: one step counted, and the accumulator is still usable.
        assertEquals(1, acc.steps());
        acc.step(G, BEFORE, AFTER);
        assertEquals(2, acc.steps());
        assertArrayEquals(new double[] {2, 4}, acc.cumulative(0), 0);
        acc.close();
    }

    @Test
    void aStepWhileAnotherThreadReadsTheSumsIsRefusedSoTheReadIsNotTorn() throws Exception {
        Held acc = new Held();
        acc.step(G, BEFORE, AFTER);
        acc.holdRead = true;
        CompletableFuture<double[]> read = CompletableFuture.supplyAsync(() -> acc.cumulative(0));
        assertTrue(acc.inside.await(10, TimeUnit.SECONDS), "the read never started");
        acc.holdRead = false;
        IllegalStateException step = assertThrows(IllegalStateException.class, () -> acc.step(G, BEFORE, AFTER));
        assertTrue(step.getMessage().contains("(reading cumulative LCA)"), step.getMessage());
        IllegalStateException close = assertThrows(IllegalStateException.class, acc::close);
        assertTrue(close.getMessage().contains("is using this LCA accumulator (reading cumulative LCA)"), close.getMessage());
        acc.release.countDown();
        assertArrayEquals(new double[] {1, 2}, read.get(10, TimeUnit.SECONDS), 0);
        assertEquals(1, acc.steps());
        acc.close();
        // Closed: a step now finds it closed after taking it, and touches nothing.
        assertTrue(assertThrows(IllegalStateException.class, () -> acc.step(G, BEFORE, AFTER)).getMessage().contains("closed"));
    }

    @Test
    void aReadInsideTheAccumulatorsOwnStepIsAllowedAndLeavesTheStepHoldingIt() throws Exception {
        Held acc = new Held();
        acc.step(G, BEFORE, AFTER);
        acc.readInside = true;
        acc.hold = true;
        CompletableFuture<StepLca> second = CompletableFuture.supplyAsync(() -> acc.step(G, BEFORE, AFTER));
        assertTrue(acc.inside.await(10, TimeUnit.SECONDS), "the step never started");
        acc.hold = false;
        acc.readInside = false;
        // The step's own read is over, the step is not: it still holds the accumulator.
        IllegalStateException step = assertThrows(IllegalStateException.class, () -> acc.step(G, BEFORE, AFTER));
        assertTrue(step.getMessage().contains("(stepping)"), step.getMessage());
        assertThrows(IllegalStateException.class, acc::close);
        acc.release.countDown();
        second.get(10, TimeUnit.SECONDS);
        assertArrayEquals(new double[] {1, 2}, acc.readDuringStep, 0, "the sums as the step found them");
        assertEquals(2, acc.steps());
        acc.close();
    }

    @Test
    void stepsFromDifferentThreadsOneAfterAnotherAreFine() throws Exception {
        Held acc = new Held();
        CompletableFuture.runAsync(() -> acc.step(G, BEFORE, AFTER)).get(10, TimeUnit.SECONDS);
        acc.step(G, BEFORE, AFTER);
        assertEquals(2, acc.steps());
        assertArrayEquals(new double[] {6, 6}, acc.layerTotals(), 0);
        CompletableFuture.runAsync(acc::close).get(10, TimeUnit.SECONDS);
    }
}
