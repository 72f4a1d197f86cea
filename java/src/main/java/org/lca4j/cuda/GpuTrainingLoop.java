package org.lca4j.cuda;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.lca4j.data.LabeledSet;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.SetObjective;

/**
 * The harness's training step with only per-layer sums leaving the GPU. The training set, θ, the
 * optimizer's state and every gradient live in device memory; a step is a gather of the batch, the
 * MLP's forward and backward ({@link GpuMlp}, cuBLAS) and one fused optimizer + LCA launch
 * ({@link FusedOptimizer}) that computes the free estimators while it updates θ. Batch indices go
 * up and results come back once per window of steps, so the GPU does not wait for the host between
 * steps: the "zero host round trips on the hot path" of the CUDA backend.
 *
 * <p>Estimators: next_batch_end, free_trap, same_batch and, when asked, debiased_trap, as
 * docs/LCA.md defines them and the CPU harness ({@code train.Trainer}) computes them; exact LCA and
 * the estimators that need extra gradients stay with Trainer. {@link Lca#OFF} and
 * {@link Lca#SEPARATE} exist for the benchmarks: the same step with no LCA at all, and with the LCA
 * as a separate launch after a plain optimizer step (next_batch_end only, through
 * {@link CudaLcaAccumulator}, θ_t kept by a device copy), which is what bolting LCA onto a training
 * loop without the fused kernel costs.
 */
public final class GpuTrainingLoop implements AutoCloseable {
    /**
     * How LCA is computed: not at all; fused into the optimizer (every free estimator); fused
     * without the trapezoids (next_batch_end and same_batch only: g_t is not kept, 8 bytes per
     * parameter less); either of those with the previous step's Δθ taken from the optimizer state
     * instead of a kept θ_t ({@link FusedOptimizer.PreviousStep#FROM_STATE}: 8 bytes less again); or
     * as its own launch after a plain step (next_batch_end only).
     */
    public enum Lca {
        OFF(false, false, FusedOptimizer.PreviousStep.KEPT_THETA),
        FUSED(true, true, FusedOptimizer.PreviousStep.KEPT_THETA),
        FUSED_NO_TRAP(true, false, FusedOptimizer.PreviousStep.KEPT_THETA),
        FUSED_FROM_STATE(true, true, FusedOptimizer.PreviousStep.FROM_STATE),
        FUSED_NO_TRAP_FROM_STATE(true, false, FusedOptimizer.PreviousStep.FROM_STATE),
        SEPARATE(false, false, FusedOptimizer.PreviousStep.KEPT_THETA);

        private final boolean fused, trapezoids;
        private final FusedOptimizer.PreviousStep previous;

        Lca(boolean fused, boolean trapezoids, FusedOptimizer.PreviousStep previous) {
            this.fused = fused;
            this.trapezoids = trapezoids;
            this.previous = previous;
        }

        boolean fused() {
            return fused;
        }

        /** free_trap and debiased_trap: g_t is kept for the next step. */
        boolean trapezoids() {
            return trapezoids;
        }

        FusedOptimizer.PreviousStep previous() {
            return previous;
        }
    }

    /**
     * @param optimizer "sgd" or "adam" (Adam with nn/Adam's defaults β 0.9, 0.999, ε 1e-8)
     * @param keep      1 − B/N for debiased_trap (B batch rows of N training rows), or NaN to leave it out
     * @param window    steps queued between two reads of the results
     */
    public record Options(String optimizer, double lr, double momentum, int batch, double keep, Lca lca, int window) {
        public Options {
            if (lca == null) throw new IllegalArgumentException("Lca mode is null");
            FusedOptimizer.checkHyperparameters(optimizer, lr, momentum, 0.9, 0.999, 1e-8); // the loop's Adam: nn/Adam's defaults
            if (batch < 1) throw new IllegalArgumentException("--batch must be positive, got " + batch);
            if (window < 1) throw new IllegalArgumentException("the result window must be at least one step, got " + window);
            if (lca.fused()) FusedOptimizer.checkPrevious(optimizer, momentum, lca.trapezoids(), lca.previous());
            if (!Double.isNaN(keep)) {
                if (!lca.trapezoids()) {
                    throw new IllegalArgumentException("debiased_trap is computed by the fused kernel with trapezoids only (Lca.FUSED, Lca.FUSED_FROM_STATE), not " + lca);
                }
                if (batch < 2) throw new IllegalArgumentException("debiased_trap needs --batch 2 or more, got " + batch);
            }
        }

        public boolean debiased() {
            return !Double.isNaN(keep);
        }
    }

    /**
     * Step t once finished: the mean loss of batch b_t at θ_t and its correct count, and per estimator
     * slot ({@link FusedOptimizer#NEXT_BATCH_END} …) the per-layer LCA sums and helped/hurt counts;
     * slots this mode does not compute hold zeros.
     */
    public record StepResult(long step, double loss, long correct, double[][] lca, long[][] helped, long[][] hurt) {
    }

    private static final int SLOTS = FusedOptimizer.SLOTS;
    private final Options options;
    private final int inputs, layers, rows;
    private final long params;
    private final Lca4jNative api;
    private final DeviceKernels kernels;
    private final DeviceAllocations owned;
    private final GpuMlp gpu;
    private final FusedOptimizer optimizer;
    private final CudaLcaAccumulator separate;
    private final long setX, setY, idx, x, y, theta, grad, half, thetaSpare, ringSum, ringHelped, ringHurt, ringLoss;
    private final int[] hostIdx;
    private final double[] hostSum;
    private final long[] hostHelped, hostHurt, hostLoss;
    private boolean ran, closed;

    /** Uploads the training set and θ₀; throws with the reason when there is no device or cuBLAS. */
    public GpuTrainingLoop(Mlp mlp, LabeledSet train, float[] theta0, Options options) {
        SetObjective.checkFits(mlp, train);
        if (theta0 == null) throw new IllegalArgumentException("θ₀ is null");
        if (theta0.length != mlp.parameterCount()) {
            throw new IllegalArgumentException("θ₀ has " + theta0.length + " values, the model " + mlp.parameterCount());
        }
        // A NaN here would surface only as "training diverged at step 0 … try a smaller --lr".
        for (int i = 0; i < theta0.length; i++) {
            if (!Float.isFinite(theta0[i])) throw new IllegalArgumentException("θ₀ is not finite at " + mlp.layout().describe(i) + ": " + theta0[i]);
        }
        if (options.batch() > train.n()) {
            throw new IllegalArgumentException("--batch " + options.batch() + " is larger than the training set (" + train.n() + " rows)");
        }
        this.options = options;
        this.params = theta0.length;
        this.inputs = train.dim();
        this.rows = train.n();
        this.layers = mlp.layout().layerCount();
        this.api = CudaDevice.api();
        this.kernels = CudaDevice.kernels();
        int w = options.window(), b = options.batch();
        long p = params * Float.BYTES;
        owned = new DeviceAllocations(api);
        try {
            gpu = owned.own(new GpuMlp(mlp, b));
            optimizer = owned.own(new FusedOptimizer(mlp.layout(), options.optimizer(), options.lr(), options.momentum(), 0.9, 0.999, 1e-8,
                    options.keep(), options.lca().trapezoids(), options.lca().previous()));
            separate = options.lca() == Lca.SEPARATE ? owned.own(new CudaLcaAccumulator(mlp.layout())) : null;
            DeviceRows rows = owned.own(DeviceRows.of(train));
            setX = rows.x();
            setY = rows.y();
            idx = owned.alloc((long) w * b * Integer.BYTES);
            x = owned.alloc((long) b * inputs * Float.BYTES);
            y = owned.alloc((long) b * Integer.BYTES);
            theta = owned.copyOf(MemorySegment.ofArray(theta0));
            grad = owned.alloc(p);
            half = options.debiased() ? owned.alloc(p) : 0;
            // FUSED: θ_T for the last step's LCA pass (which runs the kernel once more); SEPARATE: θ_t.
            thetaSpare = options.lca() == Lca.OFF ? 0 : owned.alloc(p);
            // Zeroed once: slots a mode never writes read as 0.
            ringSum = owned.zeroed((long) w * SLOTS * layers * Double.BYTES);
            ringHelped = owned.zeroed((long) w * SLOTS * layers * Long.BYTES);
            ringHurt = owned.zeroed((long) w * SLOTS * layers * Long.BYTES);
            ringLoss = owned.zeroed((long) w * 4 * Long.BYTES); // per step: two halves × (loss sum, correct)
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
        hostIdx = new int[w * b];
        hostSum = new double[w * SLOTS * layers];
        hostHelped = new long[w * SLOTS * layers];
        hostHurt = new long[w * SLOTS * layers];
        hostLoss = new long[w * 4];
    }

    /**
     * Trains {@code steps} steps on batches {@code batches.apply(t)} (each of {@code batch} row
     * indices into the training set) and hands every finished step to {@code sink}, in order, once
     * per window. With LCA on, batch {@code steps} is also asked for: step T−1's next_batch_end and
     * trapezoids need g(θ_T) on it, as in the CPU harness.
     */
    public void run(LongFunction<int[]> batches, long steps, Consumer<StepResult> sink) {
        requireOpen();
        if (steps < 1) throw new IllegalArgumentException("nothing to train: steps must be positive, got " + steps);
        if (ran) throw new IllegalStateException("this loop has already run (θ and the optimizer moved on); make a new one for another run");
        ran = true;
        long calls = steps + (options.lca() == Lca.OFF ? 0 : 1);
        int b = options.batch();
        StepAssembler assembler = new StepAssembler(options.lca() != Lca.OFF, steps, b, sink);
        for (long c0 = 0; c0 < calls; c0 += options.window()) {
            int n = (int) Math.min(options.window(), calls - c0);
            for (int j = 0; j < n; j++) {
                int[] batch = batches.apply(c0 + j);
                if (batch == null) throw new IllegalArgumentException("batch " + (c0 + j) + " is null");
                if (batch.length != b) throw new IllegalArgumentException("batch " + (c0 + j) + " has " + batch.length + " rows, expected " + b);
                // The GPU gathers rows by index with no bounds: one outside the set reads other device memory (or faults).
                checkRows(batch, rows, "batch " + (c0 + j));
                System.arraycopy(batch, 0, hostIdx, j * b, b);
            }
            api.copyToDevice(idx, MemorySegment.ofArray(hostIdx).asSlice(0, (long) n * b * Integer.BYTES));
            for (int j = 0; j < n; j++) queueCall(c0 + j, j, steps);
            readRing(n);
            for (int j = 0; j < n; j++) {
                double loss = Double.longBitsToDouble(hostLoss[j * 4]) + (half != 0 ? Double.longBitsToDouble(hostLoss[j * 4 + 2]) : 0);
                long correct = hostLoss[j * 4 + 1] + (half != 0 ? hostLoss[j * 4 + 3] : 0);
                assembler.accept(c0 + j, optimizer.unpack(hostSum, hostHelped, hostHurt, j), loss, correct);
            }
        }
    }

    /** Refuses a row index outside a set of {@code n} rows, naming the batch ({@code what}), the position and the index. */
    static void checkRows(int[] batch, int n, String what) {
        for (int r = 0; r < batch.length; r++) {
            if (batch[r] < 0 || batch[r] >= n) {
                throw new IllegalArgumentException(what + ", row " + r + ": index " + batch[r] + " is outside the training set's rows 0.." + (n - 1));
            }
        }
    }

    /** Call c: training's gradient on batch c at θ_c, then the step (c < steps) and the LCA its mode computes. */
    private void queueCall(long c, int j, long steps) {
        int b = options.batch();
        float scale = 1f / b;
        kernels.gatherRows(x, y, setX, setY, idx + (long) j * b * Integer.BYTES, b, inputs);
        long lossAt = ringLoss + (long) j * 4 * Long.BYTES;
        if (half != 0) {
            // debiased_trap reads the noise from the two half-batch sums a, b of g = a + b.
            int h = b / 2;
            gpu.launch(theta, x, y, h, half, scale, false, lossAt);
            api.copyOnDevice(grad, half, params * Float.BYTES);
            gpu.launch(theta, x + (long) h * inputs * Float.BYTES, y + (long) h * Integer.BYTES, b - h, grad, scale, true, lossAt + 2 * Long.BYTES);
        } else {
            gpu.launch(theta, x, y, b, grad, scale, false, lossAt);
        }
        long slotBytes = (long) SLOTS * layers;
        long sumAt = ringSum + j * slotBytes * Double.BYTES, helpedAt = ringHelped + j * slotBytes * Long.BYTES,
                hurtAt = ringHurt + j * slotBytes * Long.BYTES;
        boolean last = c == steps;
        switch (options.lca()) {
            case OFF -> optimizer.plainStep(theta, grad);
            case FUSED, FUSED_NO_TRAP, FUSED_FROM_STATE, FUSED_NO_TRAP_FROM_STATE -> {
                if (!last) {
                    optimizer.launch(theta, grad, half, sumAt, helpedAt, hurtAt);
                } else {
                    // Step T−1's estimators come from the kernel's next call; it runs on a copy so θ_T stays.
                    api.copyOnDevice(thetaSpare, theta, params * Float.BYTES);
                    optimizer.launch(thetaSpare, grad, half, sumAt, helpedAt, hurtAt);
                }
            }
            case SEPARATE -> {
                if (c > 0) separate.queue(grad, thetaSpare, theta, false, sumAt, helpedAt, hurtAt); // slot 0: next_batch_end of step c−1
                if (!last) {
                    api.copyOnDevice(thetaSpare, theta, params * Float.BYTES);
                    optimizer.plainStep(theta, grad);
                }
            }
        }
    }

    private void readRing(int n) {
        int per = SLOTS * layers;
        api.copyToHost(MemorySegment.ofArray(hostSum).asSlice(0, (long) n * per * Double.BYTES), ringSum);
        api.copyToHost(MemorySegment.ofArray(hostHelped).asSlice(0, (long) n * per * Long.BYTES), ringHelped);
        api.copyToHost(MemorySegment.ofArray(hostHurt).asSlice(0, (long) n * per * Long.BYTES), ringHurt);
        api.copyToHost(MemorySegment.ofArray(hostLoss).asSlice(0, (long) n * 4 * Long.BYTES), ringLoss);
    }

    /** θ after the last step, copied to the host. */
    public float[] theta() {
        requireOpen();
        float[] out = new float[(int) params];
        api.copyToHost(MemorySegment.ofArray(out), theta);
        return out;
    }

    /** Device address of θ (float32, the model's layout), for callers that keep working on the GPU. */
    public long thetaAddress() {
        requireOpen();
        return theta;
    }

    /** θ, the data and the optimizer state are device memory that close() freed. */
    private void requireOpen() {
        if (closed) throw new IllegalStateException("GPU training loop is closed: θ, its data and optimizer state were freed (read theta() before close())");
    }

    @Override
    public void close() {
        closed = true;
        owned.close();
    }
}
