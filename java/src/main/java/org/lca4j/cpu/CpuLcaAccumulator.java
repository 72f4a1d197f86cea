package org.lca4j.cpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.lca4j.core.AbstractLcaAccumulator;
import org.lca4j.core.Layer;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;

/**
 * The pure-Java backend: one pass over each layer's gradient and parameters per step, no
 * temporaries; products and sums in double so a long run's totals keep their digits.
 *
 * <p>Each layer is cut into fixed chunks of {@value #CHUNK} parameters (the CPU twin of the CUDA
 * kernel's chunk table). Large models spread the chunks over the common fork-join pool; each chunk's
 * partial lands in its own slot and the partials are added in chunk order, so the bits do not depend
 * on the number of threads. The chunk loop is the Vector API or the scalar fallback ({@link Kernels}).
 */
public final class CpuLcaAccumulator extends AbstractLcaAccumulator {
    static final int CHUNK = 1 << 15;
    /** Below this many parameters a step is faster on the calling thread alone. */
    private static final long PARALLEL_MIN = 1 << 18;
    /** Σ_t A_t,i per parameter, in layout order; null once {@link #close()} has released it. */
    private double[] cumulative;
    private final ChunkKernel kernel;
    private final int[] chunkLayer, chunkFrom, chunkTo;
    private final int[] firstChunk;
    private final boolean parallel;

    public CpuLcaAccumulator(ParamLayout layout) {
        this(layout, Kernels.best());
    }

    CpuLcaAccumulator(ParamLayout layout, ChunkKernel kernel) {
        this(layout, kernel, layout.size() >= PARALLEL_MIN && Runtime.getRuntime().availableProcessors() > 1);
    }

    /** @param parallel whether the chunks go to the fork-join pool or run on the calling thread (the tests compare both) */
    CpuLcaAccumulator(ParamLayout layout, ChunkKernel kernel, boolean parallel) {
        super(layout);
        if (layout.size() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the CPU backend keeps cumulative LCA in one Java array; " + layout.size()
                    + " parameters is over its limit of " + (Integer.MAX_VALUE - 8));
        }
        this.cumulative = new double[(int) layout.size()];
        this.kernel = kernel;
        List<int[]> chunks = new ArrayList<>();
        firstChunk = new int[layout.layerCount() + 1];
        for (int l = 0; l < layout.layerCount(); l++) {
            firstChunk[l] = chunks.size();
            int n = (int) layout.layer(l).size();
            for (int from = 0; from < n; from += CHUNK) chunks.add(new int[] {l, from, Math.min(n, from + CHUNK)});
        }
        firstChunk[layout.layerCount()] = chunks.size();
        chunkLayer = chunks.stream().mapToInt(c -> c[0]).toArray();
        chunkFrom = chunks.stream().mapToInt(c -> c[1]).toArray();
        chunkTo = chunks.stream().mapToInt(c -> c[2]).toArray();
        this.parallel = parallel;
    }

    /** Which chunk loop runs: "vector (...)" or "scalar". */
    public String kernelName() {
        return kernel.name();
    }

    /** The chunk loop a new accumulator in this JVM runs (see {@link #kernelName}). */
    public static String defaultKernelName() {
        return Kernels.best().name();
    }

    @Override
    protected StepLca accumulate(long step, MemorySegment[] gradient, MemorySegment[] before, MemorySegment[] second) {
        Partial[] parts = new Partial[chunkLayer.length];
        IntStream chunks = IntStream.range(0, parts.length);
        (parallel ? chunks.parallel() : chunks).forEach(k -> {
            int l = chunkLayer[k];
            parts[k] = kernel.run(gradient[l], before == null ? null : before[l], second[l], cumulative, (int) layout.layer(l).offset(),
                    chunkFrom[k], chunkTo[k]);
        });
        int layers = layout.layerCount();
        double[] lca = new double[layers];
        long[] helped = new long[layers];
        long[] hurt = new long[layers];
        for (int l = 0; l < layers; l++) {
            double sum = 0;
            long neg = 0, pos = 0;
            for (int k = firstChunk[l]; k < firstChunk[l + 1]; k++) {
                sum += parts[k].sum();
                neg += parts[k].helped();
                pos += parts[k].hurt();
            }
            if (!Double.isFinite(sum)) throw nonFinite(step, l, gradient[l], before == null ? null : before[l], second[l]);
            lca[l] = sum;
            helped[l] = neg;
            hurt[l] = pos;
        }
        return new StepLca(step, layout, lca, helped, hurt);
    }

    /**
     * Releases the per-parameter sums (a double per parameter), as the interface promises: a closed
     * accumulator that is still referenced keeps only its layout and per-layer totals. After
     * {@code super.close()}, which refuses to close under another thread's step or read, so no
     * step or read can still be using the array.
     */
    @Override
    public void close() {
        super.close();
        cumulative = null;
    }

    @Override
    protected double[] readCumulative(Layer l) {
        double[] out = new double[(int) l.size()];
        System.arraycopy(cumulative, (int) l.offset(), out, 0, out.length);
        return out;
    }
}
